#include "services/notes/notes_metrics.h"

#include "common/metrics/metrics.h"

namespace hiresync::notes {

NotesMetrics& NotesMetrics::Get() {
  static NotesMetrics* metrics = new NotesMetrics();
  return *metrics;
}

NotesMetrics::NotesMetrics()
    : harvest_("harvest",
               {.requests = "Calls to Greenhouse Harvest v3 (and its token endpoint) by route "
                            "and HTTP status class.",
                .request_seconds = "Duration of calls to Greenhouse Harvest v3 by route.",
                .rate_limit_waits = "Times the notes service waited for Harvest's rate limit.",
                .rate_limit_wait_seconds =
                    "Seconds the notes service spent waiting for Harvest's rate limit."}),
      written_(prometheus::BuildCounter()
                   .Name("hiresync_notes_written_total")
                   .Help("Notes written on Greenhouse candidates, by connection and kind.")
                   .Register(*metrics::Registry())) {}

void NotesMetrics::CountNoteWritten(const std::string& connection, const std::string& kind) {
  written_.Increment({{"connection", connection}, {"kind", kind}});
}

}  // namespace hiresync::notes
