#include "services/ingress/inbox_gauges.h"

#include "common/log/log.h"

namespace hiresync::ingress {

InboxGauges::InboxGauges(prometheus::Registry& registry)
    : events_(prometheus::BuildGauge()
                  .Name("hiresync_events")
                  .Help("Events in the inbox, by state.")
                  .Register(registry)),
      oldest_(prometheus::BuildGauge()
                  .Name("hiresync_oldest_pending_event_timestamp_seconds")
                  .Help("Arrival time of the connection's oldest unfinished event (0 when "
                        "none).")
                  .Register(registry)),
      paused_(prometheus::BuildGauge()
                  .Name("hiresync_connection_paused")
                  .Help("1 when the connection's hires wait because it is paused (by its "
                        "config state or an operator's hiresyncctl pause), else 0.")
                  .Register(registry)) {
  for (auto state :
       {store::EventState::kReceived, store::EventState::kMapped, store::EventState::kWritten,
        store::EventState::kNoted, store::EventState::kDone, store::EventState::kDead}) {
    by_state_.emplace_back(state, &events_.Add({{"state", store::StateName(state)}}));
  }
}

void InboxGauges::Refresh(store::Inbox& inbox, const config::Connections& connections,
                          const std::set<std::string>& paused) {
  if (auto counts = inbox.CountByState(); counts.ok()) {
    for (auto& [state, gauge] : by_state_) {
      auto found = counts->find(state);
      gauge->Set(found == counts->end() ? 0 : static_cast<double>(found->second));
    }
  }

  std::map<std::string, double> paused_values;
  for (const auto& [id, conn] : connections.all()) paused_values[id] = paused.count(id) ? 1 : 0;
  SetAll(paused_, paused_by_connection_, paused_values);

  auto oldest = inbox.OldestPendingByConnection();
  if (!oldest.ok()) {
    log::Warn(
        "reading the inbox's oldest unfinished events failed; the backlog gauges keep "
        "their last values",
        {{"error", oldest.status().ToString()}});
    return;
  }
  std::map<std::string, double> oldest_values;
  for (const auto& [id, conn] : connections.all()) oldest_values[id] = 0;
  for (const auto& [id, at] : *oldest) {
    oldest_values[id] = static_cast<double>(absl::ToUnixSeconds(at));
  }
  SetAll(oldest_, oldest_by_connection_, oldest_values);
}

void InboxGauges::SetAll(prometheus::Family<prometheus::Gauge>& family,
                         std::map<std::string, prometheus::Gauge*>& children,
                         const std::map<std::string, double>& values) {
  for (auto it = children.begin(); it != children.end();) {
    if (values.count(it->first)) {
      ++it;
    } else {
      family.Remove(it->second);
      it = children.erase(it);
    }
  }
  for (const auto& [id, value] : values) {
    auto [it, added] = children.try_emplace(id, nullptr);
    if (added) it->second = &family.Add({{"connection", id}});
    it->second->Set(value);
  }
}

}  // namespace hiresync::ingress
