// The notes ledger (SQLite, WAL, synchronous=FULL): one row per (event_id, kind), written
// "posting" before the note is sent to Greenhouse and "posted" with the note id after,
// so one event never gets the same note twice.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/store/sqlite_db.h"

namespace hiresync::notes {

struct LedgerEntry {
  enum class State { kPosting, kPosted };
  State state = State::kPosting;
  int64_t candidate_id = 0;
  int64_t note_id = 0;  // 0 while posting
  std::string body;
};

class NoteLedger {
 public:
  static absl::StatusOr<std::unique_ptr<NoteLedger>> Open(const std::string& path);

  absl::StatusOr<std::optional<LedgerEntry>> Find(const std::string& event_id,
                                                  const std::string& kind);
  // Records that the note is about to be sent (replacing an earlier "posting" row).
  absl::Status MarkPosting(const std::string& event_id, const std::string& kind,
                           const std::string& connection_id, int64_t candidate_id,
                           const std::string& body);
  // Records the note Greenhouse holds for the event.
  absl::Status MarkPosted(const std::string& event_id, const std::string& kind, int64_t note_id,
                          const std::string& body);

 private:
  explicit NoteLedger(std::unique_ptr<store::SqliteDb> db) : db_(std::move(db)) {}

  std::mutex mutex_;
  std::unique_ptr<store::SqliteDb> db_;
};

}  // namespace hiresync::notes
