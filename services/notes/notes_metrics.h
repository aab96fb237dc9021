// The notes service's metric families, built once on the process registry; children
// are kept per label set.
#pragma once

#include <string>

#include "common/metrics/counter_children.h"
#include "common/metrics/http_client_metrics.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"

namespace hiresync::notes {

class NotesMetrics {
 public:
  static NotesMetrics& Get();

  // Calls to Greenhouse Harvest v3 and its token endpoint (hiresync_harvest_*).
  metrics::HttpClientMetrics& harvest() { return harvest_; }
  // `connection` is a configured connection id; `kind` the lower-case PostNoteRequest
  // kind, e.g. "not_synced".
  void CountNoteWritten(const std::string& connection, const std::string& kind);

 private:
  NotesMetrics();

  metrics::HttpClientMetrics harvest_;
  metrics::CounterChildren written_;
};

}  // namespace hiresync::notes
