// The notes service's metric families, built once on the process registry; children
// are kept per label set.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"

namespace hiresync::notes {

class NotesMetrics {
 public:
  static NotesMetrics& Get();

  // `endpoint` is a route such as "POST /v3/notes"; `http_status` 0 means no answer.
  void ObserveHarvestCall(const std::string& endpoint, int http_status, double seconds);
  void CountRateLimitWait();
  // `kind` is the lower-case PostNoteRequest kind, e.g. "not_synced".
  void CountNoteWritten(const std::string& kind);

 private:
  NotesMetrics();

  std::mutex mutex_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& request_seconds_;
  prometheus::Counter& rate_limit_waits_;
  prometheus::Family<prometheus::Counter>& written_;
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> request_children_;
  std::map<std::string, prometheus::Histogram*> seconds_children_;
  std::map<std::string, prometheus::Counter*> written_children_;
};

}  // namespace hiresync::notes
