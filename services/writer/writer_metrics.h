// The writer's metric families, built once on the process registry.
#pragma once

#include <string>

#include "common/metrics/counter_children.h"
#include "common/metrics/http_client_metrics.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"

namespace hiresync::writer {

class WriterMetrics {
 public:
  static WriterMetrics& Get();

  // Calls to the GoCo API (hiresync_goco_*); endpoints are route names such as
  // "POST /employees/{id}/documents".
  metrics::HttpClientMetrics& goco() { return goco_; }
  // `connection` is a configured connection id (or "unknown").
  void CountOutcome(const std::string& connection, const std::string& outcome);

 private:
  WriterMetrics();

  metrics::HttpClientMetrics goco_;
  metrics::CounterChildren outcomes_;
};

}  // namespace hiresync::writer
