// The operator's gRPC service (hiresync.v1.Admin, used by hiresyncctl) on ingress's gRPC
// port: list and show events, replay them, retry a connection's DEAD events, pause and
// resume connections, purge payloads after the retention period. Every call must carry
// `authorization: Bearer <token>`; without a configured token the service refuses all.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/store/inbox.h"
#include "hiresync/v1/admin.grpc.pb.h"
#include "services/ingress/connection_states.h"

namespace hiresync::ingress {

// Reads the admin token from `path`: the file's content without surrounding whitespace.
// An empty or unreadable file is an error naming the file, never the content.
absl::StatusOr<std::string> ReadAdminToken(const std::string& path);

class AdminService final : public hiresync::v1::Admin::Service {
 public:
  // `token` nullopt: no --admin_token_file, every call is refused. `wake` tells the
  // dispatcher that events became due.
  AdminService(std::optional<std::string> token, absl::Duration retention,
               store::OperatorInbox* inbox, config::ConnectionsFn connections,
               ConnectionStates* states, std::function<void()> wake);

  // Replaces the token (a reload re-reads --admin_token_file).
  void SetToken(std::optional<std::string> token);

  grpc::Status ListEvents(grpc::ServerContext* context,
                          const hiresync::v1::ListEventsRequest* request,
                          hiresync::v1::ListEventsResponse* response) override;
  grpc::Status GetEvent(grpc::ServerContext* context, const hiresync::v1::GetEventRequest* request,
                        hiresync::v1::GetEventResponse* response) override;
  grpc::Status ReplayEvent(grpc::ServerContext* context,
                           const hiresync::v1::ReplayEventRequest* request,
                           hiresync::v1::ReplayEventResponse* response) override;
  grpc::Status RetryDead(grpc::ServerContext* context,
                         const hiresync::v1::RetryDeadRequest* request,
                         hiresync::v1::RetryDeadResponse* response) override;
  grpc::Status ListConnections(grpc::ServerContext* context,
                               const hiresync::v1::ListConnectionsRequest* request,
                               hiresync::v1::ListConnectionsResponse* response) override;
  grpc::Status SetConnectionState(grpc::ServerContext* context,
                                  const hiresync::v1::SetConnectionStateRequest* request,
                                  hiresync::v1::SetConnectionStateResponse* response) override;
  grpc::Status PurgePayloads(grpc::ServerContext* context,
                             const hiresync::v1::PurgePayloadsRequest* request,
                             hiresync::v1::PurgePayloadsResponse* response) override;

 private:
  grpc::Status Authorize(grpc::ServerContext* context, const char* method);
  absl::StatusOr<hiresync::v1::ConnectionStatus> StatusOf(const std::string& connection_id);

  std::mutex mu_;
  std::optional<std::string> token_;
  absl::Duration retention_;
  store::OperatorInbox* inbox_;
  config::ConnectionsFn connections_;
  ConnectionStates* states_;
  std::function<void()> wake_;
};

// Purges the payloads of finished events older than the retention period: once at Start,
// then every `every`, on its own thread.
class RetentionPurger {
 public:
  RetentionPurger(store::OperatorInbox* inbox, absl::Duration retention,
                  absl::Duration every = absl::Hours(24));
  ~RetentionPurger();
  void Start();
  void Stop();

 private:
  void Loop();

  store::OperatorInbox* inbox_;
  absl::Duration retention_;
  absl::Duration every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hiresync::ingress
