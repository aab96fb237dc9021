// The writer's metric families, built once on the process registry.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"

namespace hiresync::writer {

class WriterMetrics {
 public:
  static WriterMetrics& Get();

  // `endpoint` is a route name such as "POST /employees/{id}/documents"; `http_status` 0
  // means no answer.
  void ObserveGoCoCall(const std::string& endpoint, int http_status, double seconds);
  void CountRateLimitWait();
  void CountOutcome(const std::string& outcome);

 private:
  WriterMetrics();

  std::mutex mutex_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& request_seconds_;
  prometheus::Counter& rate_limit_waits_;
  prometheus::Family<prometheus::Counter>& outcomes_;
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> request_children_;
  std::map<std::string, prometheus::Histogram*> seconds_children_;
  std::map<std::string, prometheus::Counter*> outcome_children_;
};

}  // namespace hiresync::writer
