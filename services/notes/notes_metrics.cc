#include "services/notes/notes_metrics.h"

#include "common/metrics/metrics.h"

namespace hiresync::notes {
namespace {

std::string StatusClass(int http_status) {
  if (http_status <= 0) return "network_error";
  return std::to_string(http_status / 100) + "xx";
}

}  // namespace

NotesMetrics& NotesMetrics::Get() {
  static NotesMetrics* metrics = new NotesMetrics();
  return *metrics;
}

NotesMetrics::NotesMetrics()
    : requests_(prometheus::BuildCounter()
                    .Name("hiresync_harvest_requests_total")
                    .Help("Calls to Greenhouse Harvest v3 (and its token endpoint) by endpoint and "
                          "HTTP status class.")
                    .Register(*metrics::Registry())),
      request_seconds_(prometheus::BuildHistogram()
                           .Name("hiresync_harvest_request_seconds")
                           .Help("Duration of calls to Greenhouse Harvest v3 by endpoint.")
                           .Register(*metrics::Registry())),
      rate_limit_waits_(prometheus::BuildCounter()
                            .Name("hiresync_harvest_rate_limit_waits_total")
                            .Help("Times the notes service waited for Harvest's rate limit.")
                            .Register(*metrics::Registry())
                            .Add({})),
      written_(prometheus::BuildCounter()
                   .Name("hiresync_notes_written_total")
                   .Help("Notes written on Greenhouse candidates, by kind.")
                   .Register(*metrics::Registry())) {}

void NotesMetrics::ObserveHarvestCall(const std::string& endpoint, int http_status,
                                      double seconds) {
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(endpoint, StatusClass(http_status));
  auto it = request_children_.find(key);
  if (it == request_children_.end()) {
    it = request_children_
             .emplace(key, &requests_.Add({{"endpoint", key.first}, {"status_class", key.second}}))
             .first;
  }
  it->second->Increment();
  auto hist = seconds_children_.find(endpoint);
  if (hist == seconds_children_.end()) {
    hist = seconds_children_
               .emplace(endpoint,
                        &request_seconds_.Add({{"endpoint", endpoint}}, metrics::LatencyBuckets()))
               .first;
  }
  hist->second->Observe(seconds);
}

void NotesMetrics::CountRateLimitWait() { rate_limit_waits_.Increment(); }

void NotesMetrics::CountNoteWritten(const std::string& kind) {
  std::lock_guard lock(mutex_);
  prometheus::Counter*& counter = written_children_[kind];
  if (counter == nullptr) counter = &written_.Add({{"kind", kind}});
  counter->Increment();
}

}  // namespace hiresync::notes
