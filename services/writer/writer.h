// The writer's logic: a NewHire becomes one GoCo employee with its documents, at most
// once per Greenhouse application, whatever is retried. Transport-free: the gRPC adapter
// (writer_service.h) and the tests call Write directly.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "hiresync/v1/writer.pb.h"
#include "services/writer/attachment_fetcher.h"
#include "services/writer/catalog.h"
#include "services/writer/goco_client.h"
#include "services/writer/ledger.h"

namespace hiresync::writer {

// Builds the GoCo client of one connection.
using GoCoFactory =
    std::function<absl::StatusOr<std::unique_ptr<GoCoApi>>(const config::Connection& connection)>;

// The factory of real clients: the connection's base URL and API key.
GoCoFactory RealGoCoFactory(std::shared_ptr<time::Clock> clock, GoCoClientOptions options = {});

// The Idempotency-Key of the create: stable across retries of one application.
std::string IdempotencyKey(const std::string& connection_id, int64_t application_id);

class Writer {
 public:
  // `connections` is read on every call, so a reloaded file takes effect at once.
  Writer(config::ConnectionsFn connections, Ledger* ledger, AttachmentSource* attachments,
         GoCoFactory goco_factory);
  Writer(std::shared_ptr<const config::Connections> connections, Ledger* ledger,
         AttachmentSource* attachments, GoCoFactory goco_factory)
      : Writer([connections] { return connections; }, ledger, attachments,
               std::move(goco_factory)) {}

  // Errors are the writer's own failures (the ledger); GoCo's answers are outcomes.
  absl::StatusOr<hiresync::v1::WriteResponse> Write(const hiresync::v1::WriteRequest& request);

 private:
  struct Company {
    // The settings the client was made with: a reload that changes them makes a new one.
    std::string base_url;
    std::string api_key;
    std::unique_ptr<GoCoApi> goco;
    std::unique_ptr<Catalog> catalog;
  };
  // Shared: a call in flight keeps the client it started with across a reload.
  absl::StatusOr<std::shared_ptr<Company>> CompanyFor(const config::Connection& connection);
  absl::StatusOr<hiresync::v1::WriteResponse> WriteWith(const config::Connection& connection,
                                                        Company& company,
                                                        const hiresync::v1::WriteRequest& request);
  // Finds this hire's own earlier create among `matches`, or nullptr.
  static const Employee* OwnCreate(const std::vector<Employee>& matches, int64_t candidate_id);
  // Uploads what GoCo does not have yet. Sets `response` to RETRY_LATER when GoCo or the
  // attachment server failed in a way worth retrying.
  absl::Status UploadDocuments(Company& company, const hiresync::v1::NewHire& hire,
                               const std::string& employee_id,
                               hiresync::v1::WriteResponse& response);

  config::ConnectionsFn connections_;
  Ledger* ledger_;
  AttachmentSource* attachments_;
  GoCoFactory goco_factory_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Company>> companies_;
};

}  // namespace hiresync::writer
