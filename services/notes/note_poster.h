// The notes logic: PostNoteRequest -> at most one note per (event, kind) on the candidate
// in Greenhouse, through the ledger. No gRPC here; the service adapts it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "common/time/clock.h"
#include "hiresync/v1/notes.pb.h"
#include "services/notes/harvest_client.h"
#include "services/notes/note_ledger.h"

namespace hiresync::notes {

// Builds the Harvest client of one connection; FAILED_PRECONDITION when it has none.
using HarvestFactory =
    std::function<absl::StatusOr<std::unique_ptr<HarvestApi>>(const config::Connection&)>;

// The Harvest settings of a connection (defaults filled in).
HarvestSettings SettingsFor(const config::Connection& connection);

// Real HarvestClients with `clock`.
HarvestFactory RealHarvestFactory(std::shared_ptr<time::Clock> clock, HarvestOptions options = {});

// "admin_only", "private" or "public", from the connection's mapping options.
std::string VisibilityFor(const config::Connection& connection);

// True when `body` holds `marker` as a whole line-like token (not a prefix of a longer
// event id).
bool HasMarker(const std::string& body, const std::string& marker);

class NotePoster {
 public:
  // `connections` is read on every call, so a reloaded file takes effect at once.
  NotePoster(config::ConnectionsFn connections, NoteLedger* ledger, HarvestFactory factory);
  NotePoster(std::shared_ptr<const config::Connections> connections, NoteLedger* ledger,
             HarvestFactory factory)
      : NotePoster([connections] { return connections; }, ledger, std::move(factory)) {}

  // INVALID_ARGUMENT for a malformed request; FAILED_PRECONDITION for an unknown
  // connection or one without usable Harvest settings; UNAVAILABLE to retry later.
  absl::StatusOr<hiresync::v1::PostNoteResponse> Post(const hiresync::v1::PostNoteRequest& request);

 private:
  // Shared: a call in flight keeps the client it started with across a reload.
  absl::StatusOr<std::shared_ptr<HarvestApi>> ClientFor(const config::Connection& connection);
  absl::StatusOr<hiresync::v1::PostNoteResponse> PostOnce(
      const hiresync::v1::PostNoteRequest& request, const config::Connection& connection);

  config::ConnectionsFn connections_;
  NoteLedger* ledger_;
  HarvestFactory factory_;
  std::mutex mutex_;  // guards clients_ and in_flight_
  struct Client {
    // The settings it was made with: a reload that changes them makes a new client.
    std::string settings;
    std::shared_ptr<HarvestApi> api;
  };
  std::map<std::string, Client> clients_;
  std::set<std::pair<std::string, std::string>> in_flight_;
};

}  // namespace hiresync::notes
