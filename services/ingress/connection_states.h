// Which connections' hires wait: the config's state, unless an operator's runtime override
// (hiresyncctl pause|resume, kept in the inbox so every replica sees it) says otherwise.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/store/inbox.h"

namespace hiresync::ingress {

class ConnectionStates {
 public:
  // Overrides are read from the inbox at most once per `max_age` (another replica's change
  // shows up within it).
  ConnectionStates(store::OperatorInbox* inbox, config::ConnectionsFn connections,
                   absl::Duration max_age = absl::Seconds(1));

  // The ids of the configured connections whose hires wait now.
  std::set<std::string> Paused();
  // The overrides as stored now, by connection id.
  absl::StatusOr<std::map<std::string, store::ConnectionOverride>> Overrides();
  // Drops the cached overrides, after this process changed one.
  void Invalidate();

  // An override wins when there is one; otherwise the config's PAUSED.
  static bool IsPaused(const config::Connection& connection,
                       const store::ConnectionOverride* override_state);

 private:
  store::OperatorInbox* inbox_;
  config::ConnectionsFn connections_;
  absl::Duration max_age_;
  std::mutex mu_;
  std::map<std::string, store::ConnectionOverride> cached_;
  absl::Time read_at_ = absl::InfinitePast();
};

}  // namespace hiresync::ingress
