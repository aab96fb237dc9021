#include "services/notes/note_ledger.h"

#include "absl/strings/str_cat.h"

namespace hiresync::notes {

absl::StatusOr<std::unique_ptr<NoteLedger>> NoteLedger::Open(const std::string& path) {
  absl::StatusOr<std::unique_ptr<store::SqliteDb>> db = store::SqliteDb::Open(path);
  if (!db.ok()) {
    return absl::Status(db.status().code(),
                        absl::StrCat("notes ledger (--ledger): ", db.status().message()));
  }
  absl::Status status = (*db)->Exec(
      "CREATE TABLE IF NOT EXISTS notes ("
      "  event_id TEXT NOT NULL,"
      "  kind TEXT NOT NULL,"
      "  connection_id TEXT NOT NULL,"
      "  candidate_id INTEGER NOT NULL,"
      "  state TEXT NOT NULL CHECK (state IN ('posting', 'posted')),"
      "  note_id INTEGER NOT NULL DEFAULT 0,"
      "  body TEXT NOT NULL,"
      "  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),"
      "  PRIMARY KEY (event_id, kind))");
  if (!status.ok()) return status;
  return std::unique_ptr<NoteLedger>(new NoteLedger(*std::move(db)));
}

absl::StatusOr<std::optional<LedgerEntry>> NoteLedger::Find(const std::string& event_id,
                                                            const std::string& kind) {
  std::lock_guard lock(mutex_);
  absl::StatusOr<store::Statement> statement = db_->Prepare(
      "SELECT state, candidate_id, note_id, body FROM notes WHERE event_id = ? AND kind = ?");
  if (!statement.ok()) return statement.status();
  statement->Bind(1, event_id).Bind(2, kind);
  absl::StatusOr<bool> row = statement->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::nullopt;
  LedgerEntry entry;
  entry.state =
      statement->Text(0) == "posted" ? LedgerEntry::State::kPosted : LedgerEntry::State::kPosting;
  entry.candidate_id = statement->Int(1);
  entry.note_id = statement->Int(2);
  entry.body = statement->Text(3);
  return entry;
}

absl::Status NoteLedger::MarkPosting(const std::string& event_id, const std::string& kind,
                                     const std::string& connection_id, int64_t candidate_id,
                                     const std::string& body) {
  std::lock_guard lock(mutex_);
  absl::StatusOr<store::Statement> statement = db_->Prepare(
      "INSERT INTO notes (event_id, kind, connection_id, candidate_id, state, body)"
      " VALUES (?, ?, ?, ?, 'posting', ?)"
      " ON CONFLICT (event_id, kind) DO UPDATE SET candidate_id = excluded.candidate_id,"
      "   body = excluded.body, updated_at = excluded.updated_at"
      " WHERE notes.state = 'posting'");
  if (!statement.ok()) return statement.status();
  statement->Bind(1, event_id)
      .Bind(2, kind)
      .Bind(3, connection_id)
      .Bind(4, candidate_id)
      .Bind(5, body);
  return statement->Run();
}

absl::Status NoteLedger::MarkPosted(const std::string& event_id, const std::string& kind,
                                    int64_t note_id, const std::string& body) {
  std::lock_guard lock(mutex_);
  absl::StatusOr<store::Statement> statement = db_->Prepare(
      "UPDATE notes SET state = 'posted', note_id = ?, body = ?,"
      " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE event_id = ? AND kind = ?");
  if (!statement.ok()) return statement.status();
  statement->Bind(1, note_id).Bind(2, body).Bind(3, event_id).Bind(4, kind);
  absl::Status status = statement->Run();
  if (!status.ok()) return status;
  if (db_->Changes() != 1) {
    return absl::InternalError(absl::StrCat(
        "the notes ledger has no 'posting' row for event ", event_id, " (", kind, "), so note ",
        note_id, " could not be recorded; the ledger file may have been replaced"));
  }
  return absl::OkStatus();
}

}  // namespace hiresync::notes
