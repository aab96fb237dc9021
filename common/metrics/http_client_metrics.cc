#include "common/metrics/http_client_metrics.h"

#include "common/metrics/metrics.h"

namespace hiresync::metrics {

std::string StatusClass(int http_status) {
  if (http_status <= 0) return "network_error";
  return std::to_string(http_status / 100) + "xx";
}

HttpClientMetrics::HttpClientMetrics(const std::string& api, const Help& help)
    : requests_(prometheus::BuildCounter()
                    .Name("hiresync_" + api + "_requests_total")
                    .Help(help.requests)
                    .Register(*Registry())),
      request_seconds_(prometheus::BuildHistogram()
                           .Name("hiresync_" + api + "_request_seconds")
                           .Help(help.request_seconds)
                           .Register(*Registry())),
      rate_limit_waits_(prometheus::BuildCounter()
                            .Name("hiresync_" + api + "_rate_limit_waits_total")
                            .Help(help.rate_limit_waits)
                            .Register(*Registry())
                            .Add({})),
      rate_limit_wait_seconds_(prometheus::BuildCounter()
                                   .Name("hiresync_" + api + "_rate_limit_wait_seconds_total")
                                   .Help(help.rate_limit_wait_seconds)
                                   .Register(*Registry())
                                   .Add({})) {}

void HttpClientMetrics::ObserveCall(const std::string& endpoint, int http_status, double seconds) {
  std::lock_guard lock(mutex_);
  if (seconds_children_.find(endpoint) == seconds_children_.end()) {
    // A route's error series exist at 0 from its first call on, so that rate() and
    // increase() see its first error.
    for (const char* status_class : {"2xx", "4xx", "5xx", "network_error"}) {
      request_children_.emplace(
          std::make_pair(endpoint, status_class),
          &requests_.Add({{"route", endpoint}, {"status_class", status_class}}));
    }
  }
  auto key = std::make_pair(endpoint, StatusClass(http_status));
  auto it = request_children_.find(key);
  if (it == request_children_.end()) {
    it = request_children_
             .emplace(key, &requests_.Add({{"route", key.first}, {"status_class", key.second}}))
             .first;
  }
  it->second->Increment();
  auto hist = seconds_children_.find(endpoint);
  if (hist == seconds_children_.end()) {
    hist = seconds_children_
               .emplace(endpoint, &request_seconds_.Add({{"route", endpoint}}, LatencyBuckets()))
               .first;
  }
  hist->second->Observe(seconds);
}

void HttpClientMetrics::CountRateLimitWait(double seconds) {
  rate_limit_waits_.Increment();
  rate_limit_wait_seconds_.Increment(seconds);
}

}  // namespace hiresync::metrics
