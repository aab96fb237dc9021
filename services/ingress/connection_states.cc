#include "services/ingress/connection_states.h"

#include "common/log/log.h"

namespace hiresync::ingress {

ConnectionStates::ConnectionStates(store::OperatorInbox* inbox, config::ConnectionsFn connections,
                                   absl::Duration max_age)
    : inbox_(inbox), connections_(std::move(connections)), max_age_(max_age) {}

bool ConnectionStates::IsPaused(const config::Connection& connection,
                                const store::ConnectionOverride* override_state) {
  return override_state != nullptr ? override_state->paused : connection.paused();
}

absl::StatusOr<std::map<std::string, store::ConnectionOverride>> ConnectionStates::Overrides() {
  auto overrides = inbox_->ConnectionOverrides();
  if (!overrides.ok()) return overrides.status();
  std::map<std::string, store::ConnectionOverride> by_id;
  for (auto& o : *overrides) by_id.emplace(o.connection_id, std::move(o));
  std::lock_guard<std::mutex> lock(mu_);
  cached_ = by_id;
  read_at_ = absl::Now();
  return by_id;
}

void ConnectionStates::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  read_at_ = absl::InfinitePast();
}

std::set<std::string> ConnectionStates::Paused() {
  std::map<std::string, store::ConnectionOverride> overrides;
  bool stale;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stale = absl::Now() - read_at_ >= max_age_;
    overrides = cached_;
  }
  if (stale) {
    auto fresh = Overrides();
    if (fresh.ok()) {
      overrides = std::move(*fresh);
    } else {
      // Keep the last known overrides: a paused connection must not resume on a read error.
      log::Warn("reading the connections' pause overrides failed; using the last ones read",
                {{"error", fresh.status().ToString()}});
    }
  }
  std::set<std::string> paused;
  for (const auto& [id, conn] : connections_()->all()) {
    auto found = overrides.find(id);
    if (IsPaused(conn, found == overrides.end() ? nullptr : &found->second)) paused.insert(id);
  }
  return paused;
}

}  // namespace hiresync::ingress
