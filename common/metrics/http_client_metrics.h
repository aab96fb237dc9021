// Metrics of one outbound HTTP API (GoCo, Greenhouse Harvest, ...), named after it:
//   hiresync_<api>_requests_total{route,status_class}
//   hiresync_<api>_request_seconds{route}   (LatencyBuckets())
//   hiresync_<api>_rate_limit_waits_total
//   hiresync_<api>_rate_limit_wait_seconds_total
// The families are built once on the process registry; children are kept per label set.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"

namespace hiresync::metrics {

// "2xx", "4xx", ...; "network_error" when there was no HTTP answer (`http_status` <= 0).
std::string StatusClass(int http_status);

class HttpClientMetrics {
 public:
  // The HELP text of each family, as operators read it on /metrics.
  struct Help {
    std::string requests;
    std::string request_seconds;
    std::string rate_limit_waits;
    std::string rate_limit_wait_seconds;
  };

  // `api` is the lower-case name in the metric names, e.g. "goco".
  HttpClientMetrics(const std::string& api, const Help& help);
  HttpClientMetrics(const HttpClientMetrics&) = delete;
  HttpClientMetrics& operator=(const HttpClientMetrics&) = delete;

  // `endpoint` is a low-cardinality route such as "POST /v3/notes", the `route` label (not
  // `endpoint`: the Prometheus operator sets that target label to the scraped port's
  // name); `http_status` 0 means no answer.
  void ObserveCall(const std::string& endpoint, int http_status, double seconds);
  // One wait for the API's rate limit that lasted `seconds`.
  void CountRateLimitWait(double seconds);

 private:
  std::mutex mutex_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& request_seconds_;
  prometheus::Counter& rate_limit_waits_;
  prometheus::Counter& rate_limit_wait_seconds_;
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> request_children_;
  std::map<std::string, prometheus::Histogram*> seconds_children_;
};

}  // namespace hiresync::metrics
