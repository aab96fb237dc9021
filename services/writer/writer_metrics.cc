#include "services/writer/writer_metrics.h"

#include "common/metrics/metrics.h"

namespace hiresync::writer {
namespace {

std::string StatusClass(int http_status) {
  if (http_status <= 0) return "network_error";
  return std::to_string(http_status / 100) + "xx";
}

}  // namespace

WriterMetrics& WriterMetrics::Get() {
  static WriterMetrics* metrics = new WriterMetrics();
  return *metrics;
}

WriterMetrics::WriterMetrics()
    : requests_(prometheus::BuildCounter()
                    .Name("hiresync_goco_requests_total")
                    .Help("Calls to the GoCo API by route and HTTP status class.")
                    .Register(*metrics::Registry())),
      request_seconds_(prometheus::BuildHistogram()
                           .Name("hiresync_goco_request_seconds")
                           .Help("Duration of calls to the GoCo API by route.")
                           .Register(*metrics::Registry())),
      rate_limit_waits_(prometheus::BuildCounter()
                            .Name("hiresync_goco_rate_limit_waits_total")
                            .Help("Times the writer waited for GoCo's rate-limit window.")
                            .Register(*metrics::Registry())
                            .Add({})),
      outcomes_(prometheus::BuildCounter()
                    .Name("hiresync_writer_outcomes_total")
                    .Help("Write calls by outcome.")
                    .Register(*metrics::Registry())) {}

void WriterMetrics::ObserveGoCoCall(const std::string& endpoint, int http_status, double seconds) {
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

void WriterMetrics::CountRateLimitWait() { rate_limit_waits_.Increment(); }

void WriterMetrics::CountOutcome(const std::string& outcome) {
  std::lock_guard lock(mutex_);
  auto it = outcome_children_.find(outcome);
  if (it == outcome_children_.end()) {
    it = outcome_children_.emplace(outcome, &outcomes_.Add({{"outcome", outcome}})).first;
  }
  it->second->Increment();
}

}  // namespace hiresync::writer
