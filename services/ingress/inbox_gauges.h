// The inbox's gauges, set from the inbox on a timer: events by state and, per connection,
// the arrival time of its oldest unfinished hire and whether its hires wait because the
// connection is paused (so an alert on the backlog can leave paused connections out).
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/config/config.h"
#include "common/store/inbox.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace hiresync::ingress {

class InboxGauges {
 public:
  explicit InboxGauges(prometheus::Registry& registry);

  // `paused`: the connections whose hires wait now (ConnectionStates::Paused()). Every
  // configured connection has both per-connection series; a connection no longer configured
  // keeps its backlog series only while it has unfinished hires. A failed read keeps the
  // last values.
  void Refresh(store::Inbox& inbox, const config::Connections& connections,
               const std::set<std::string>& paused);

 private:
  // Sets each of `values` in `family`, adding children as needed; removes the children of
  // connections not in `values`.
  static void SetAll(prometheus::Family<prometheus::Gauge>& family,
                     std::map<std::string, prometheus::Gauge*>& children,
                     const std::map<std::string, double>& values);

  prometheus::Family<prometheus::Gauge>& events_;
  prometheus::Family<prometheus::Gauge>& oldest_;
  prometheus::Family<prometheus::Gauge>& paused_;
  std::vector<std::pair<store::EventState, prometheus::Gauge*>> by_state_;
  std::map<std::string, prometheus::Gauge*> oldest_by_connection_;
  std::map<std::string, prometheus::Gauge*> paused_by_connection_;
};

}  // namespace hiresync::ingress
