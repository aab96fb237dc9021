#include "services/writer/writer_metrics.h"

#include "common/metrics/metrics.h"

namespace hiresync::writer {

WriterMetrics& WriterMetrics::Get() {
  static WriterMetrics* metrics = new WriterMetrics();
  return *metrics;
}

WriterMetrics::WriterMetrics()
    : goco_("goco", {.requests = "Calls to the GoCo API by route and HTTP status class.",
                     .request_seconds = "Duration of calls to the GoCo API by route.",
                     .rate_limit_waits = "Times the writer waited for GoCo's rate-limit window.",
                     .rate_limit_wait_seconds =
                         "Seconds the writer spent waiting for GoCo's rate-limit window."}),
      outcomes_(prometheus::BuildCounter()
                    .Name("hiresync_writer_outcomes_total")
                    .Help("Write calls by connection and outcome (created, duplicate, rejected, "
                          "retry_later, error).")
                    .Register(*metrics::Registry())) {}

void WriterMetrics::CountOutcome(const std::string& connection, const std::string& outcome) {
  outcomes_.Increment({{"connection", connection}, {"outcome", outcome}});
}

}  // namespace hiresync::writer
