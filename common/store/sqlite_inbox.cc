#include <mutex>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/store/inbox.h"
#include "common/store/sqlite_db.h"

namespace hiresync::store {
namespace {

constexpr const char* kStateNames[] = {"RECEIVED", "MAPPED", "WRITTEN", "NOTED", "DONE", "DEAD"};

int64_t Ms(absl::Time t) { return absl::ToUnixMillis(t); }
absl::Time FromMs(int64_t ms) { return absl::FromUnixMillis(ms); }

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  connection_id TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  body_sha256 TEXT NOT NULL,
  candidate_id INTEGER NOT NULL,
  application_id INTEGER NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  received_at_ms INTEGER NOT NULL,
  next_attempt_at_ms INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until_ms INTEGER NOT NULL DEFAULT 0,
  hire_event BLOB NOT NULL,
  map_result BLOB,
  write_result BLOB,
  note_result BLOB,
  outcome TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT '',
  updated_at_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_by_delivery ON events (connection_id, delivery_id);
CREATE UNIQUE INDEX IF NOT EXISTS events_by_body ON events (connection_id, body_sha256);
CREATE INDEX IF NOT EXISTS events_ready ON events (next_attempt_at_ms)
  WHERE state NOT IN ('DONE', 'DEAD');
CREATE INDEX IF NOT EXISTS events_by_candidate ON events (connection_id, candidate_id, id);
CREATE TABLE IF NOT EXISTS event_steps (
  event_id INTEGER NOT NULL REFERENCES events (id),
  at_ms INTEGER NOT NULL,
  step TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS event_steps_by_event ON event_steps (event_id, at_ms);
)sql";

constexpr const char* kColumns =
    "id, connection_id, delivery_id, candidate_id, application_id, state, attempts, "
    "received_at_ms, next_attempt_at_ms, hire_event, map_result, write_result, note_result, "
    "outcome, last_error";

class SqliteInbox : public Inbox {
 public:
  explicit SqliteInbox(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}

  absl::Status Migrate() {
    RETURN_IF_ERROR(db_->Exec(kSchema));
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    int64_t version = row ? stmt.Int(0) : 0;
    if (version > kSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the inbox database has schema version ", version, " but this binary knows up to ",
          kSchemaVersion, ": run a newer hiresync-ingress"));
    }
    if (version < kSchemaVersion) {
      ASSIGN_OR_RETURN(auto insert, db_->Prepare("INSERT INTO schema_version (version) VALUES (?)"));
      insert.Bind(1, int64_t{kSchemaVersion});
      RETURN_IF_ERROR(insert.Run());
    }
    return absl::OkStatus();
  }

  absl::StatusOr<InsertResult> Insert(const hiresync::v1::HireEvent& event) override {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t now = Ms(absl::Now());
    int64_t received = event.has_received_at()
                           ? event.received_at().seconds() * 1000 + event.received_at().nanos() / 1000000
                           : now;
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
        "INSERT INTO events (connection_id, delivery_id, body_sha256, candidate_id, application_id,"
        " state, received_at_ms, next_attempt_at_ms, hire_event, updated_at_ms)"
        " VALUES (?, ?, ?, ?, ?, 'RECEIVED', ?, ?, ?, ?) ON CONFLICT DO NOTHING"));
    stmt.Bind(1, event.connection_id())
        .Bind(2, event.delivery_id())
        .Bind(3, event.body_sha256())
        .Bind(4, event.application().candidate().id())
        .Bind(5, event.application().id())
        .Bind(6, received)
        .Bind(7, received)
        .BindBlob(8, event.SerializeAsString())
        .Bind(9, now);
    RETURN_IF_ERROR(stmt.Run());
    if (db_->Changes() == 0) return InsertResult{0, true};
    int64_t id = db_->LastInsertId();
    RETURN_IF_ERROR(AddStep(id, now, "received", "stored", ""));
    return InsertResult{id, false};
  }

  absl::StatusOr<std::vector<StoredEvent>> Claim(
      absl::Time now, int limit, absl::Duration lease, const std::string& owner,
      const std::set<std::string>& skip_connections) override {
    std::lock_guard<std::mutex> lock(mu_);
    RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
    auto result = ClaimLocked(now, limit, lease, owner, skip_connections);
    RETURN_IF_ERROR(db_->Exec(result.ok() ? "COMMIT" : "ROLLBACK"));
    return result;
  }

  absl::Status Advance(int64_t id, const StepUpdate& u, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
    absl::Status status = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
          "UPDATE events SET state = ?, map_result = COALESCE(?, map_result),"
          " write_result = COALESCE(?, write_result), note_result = COALESCE(?, note_result),"
          " outcome = COALESCE(?, outcome), updated_at_ms = ?,"
          " lease_until_ms = CASE WHEN ? THEN 0 ELSE lease_until_ms END,"
          " lease_owner = CASE WHEN ? THEN NULL ELSE lease_owner END WHERE id = ?"));
      bool terminal = IsTerminal(u.state);
      stmt.Bind(1, std::string(StateName(u.state)));
      if (u.map_result) stmt.BindBlob(2, *u.map_result); else stmt.BindNull(2);
      if (u.write_result) stmt.BindBlob(3, *u.write_result); else stmt.BindNull(3);
      if (u.note_result) stmt.BindBlob(4, *u.note_result); else stmt.BindNull(4);
      stmt.Bind(5, u.final_outcome).Bind(6, Ms(now)).Bind(7, int64_t{terminal}).Bind(8, int64_t{terminal}).Bind(9, id);
      RETURN_IF_ERROR(stmt.Run());
      if (db_->Changes() == 0) return absl::NotFoundError(absl::StrCat("no event ", id));
      return AddStep(id, Ms(now), u.step, u.outcome, u.detail);
    }();
    RETURN_IF_ERROR(db_->Exec(status.ok() ? "COMMIT" : "ROLLBACK"));
    return status;
  }

  absl::Status ScheduleRetry(int64_t id, absl::Time next, const std::string& step,
                             const std::string& error, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
    absl::Status status = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
          "UPDATE events SET attempts = attempts + 1, next_attempt_at_ms = ?, last_error = ?,"
          " lease_owner = NULL, lease_until_ms = 0, updated_at_ms = ? WHERE id = ?"));
      stmt.Bind(1, Ms(next)).Bind(2, error).Bind(3, Ms(now)).Bind(4, id);
      RETURN_IF_ERROR(stmt.Run());
      return AddStep(id, Ms(now), step, "retry",
                     absl::StrCat(error, " (next attempt at ", absl::FormatTime(next), ")"));
    }();
    RETURN_IF_ERROR(db_->Exec(status.ok() ? "COMMIT" : "ROLLBACK"));
    return status;
  }

  absl::Status Release(int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
        "UPDATE events SET lease_owner = NULL, lease_until_ms = 0 WHERE id = ?"));
    stmt.Bind(1, id);
    return stmt.Run();
  }

  absl::Status ReleaseAllLeases() override {
    std::lock_guard<std::mutex> lock(mu_);
    return db_->Exec("UPDATE events SET lease_owner = NULL, lease_until_ms = 0 WHERE lease_until_ms > 0");
  }

  absl::StatusOr<std::optional<StoredEvent>> Get(int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare(absl::StrCat("SELECT ", kColumns, " FROM events WHERE id = ?")));
    stmt.Bind(1, id);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return std::optional<StoredEvent>();
    return std::optional<StoredEvent>(Read(stmt));
  }

  absl::StatusOr<std::vector<StepRecord>> History(int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
        "SELECT at_ms, step, outcome, detail FROM event_steps WHERE event_id = ? ORDER BY rowid"));
    stmt.Bind(1, id);
    std::vector<StepRecord> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.push_back({FromMs(stmt.Int(0)), stmt.Text(1), stmt.Text(2), stmt.Text(3)});
    }
    return out;
  }

  absl::StatusOr<std::vector<StoredEvent>> List(const std::string& connection_id,
                                                std::optional<EventState> state,
                                                int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare(absl::StrCat(
        "SELECT ", kColumns, " FROM events WHERE (? = '' OR connection_id = ?)"
        " AND (? = '' OR state = ?) ORDER BY id DESC LIMIT ?")));
    std::string state_name = state ? StateName(*state) : "";
    stmt.Bind(1, connection_id).Bind(2, connection_id).Bind(3, state_name).Bind(4, state_name)
        .Bind(5, int64_t{limit});
    std::vector<StoredEvent> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.push_back(Read(stmt));
    }
    return out;
  }

  absl::StatusOr<int64_t> Count(std::optional<EventState> state) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT COUNT(*) FROM events WHERE (? = '' OR state = ?)"));
    std::string state_name = state ? StateName(*state) : "";
    stmt.Bind(1, state_name).Bind(2, state_name);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    return row ? stmt.Int(0) : 0;
  }

  absl::StatusOr<std::optional<absl::Time>> OldestPending() override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
        "SELECT MIN(received_at_ms) FROM events WHERE state NOT IN ('DONE', 'DEAD')"));
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row || stmt.IsNull(0)) return std::optional<absl::Time>();
    return std::optional<absl::Time>(FromMs(stmt.Int(0)));
  }

 private:
  absl::StatusOr<std::vector<StoredEvent>> ClaimLocked(
      absl::Time now, int limit, absl::Duration lease, const std::string& owner,
      const std::set<std::string>& skip_connections) {
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare(absl::StrCat(
        "SELECT ", kColumns, " FROM events e WHERE state NOT IN ('DONE', 'DEAD')"
        " AND next_attempt_at_ms <= ?1 AND lease_until_ms <= ?1"
        " AND NOT EXISTS (SELECT 1 FROM events p WHERE p.connection_id = e.connection_id"
        "   AND p.candidate_id = e.candidate_id AND p.id < e.id"
        "   AND p.state NOT IN ('DONE', 'DEAD'))"
        " ORDER BY next_attempt_at_ms, id LIMIT ?2")));
    // Paused connections are filtered here rather than in SQL; fetch extra rows for them.
    stmt.Bind(1, Ms(now)).Bind(2, int64_t{limit} + static_cast<int64_t>(skip_connections.size()) * 16);
    std::vector<StoredEvent> out;
    while (static_cast<int>(out.size()) < limit) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      StoredEvent event = Read(stmt);
      if (skip_connections.count(event.connection_id)) continue;
      out.push_back(std::move(event));
    }
    for (const auto& event : out) {
      ASSIGN_OR_RETURN(auto lease_stmt, db_->Prepare(
          "UPDATE events SET lease_owner = ?, lease_until_ms = ? WHERE id = ?"));
      lease_stmt.Bind(1, owner).Bind(2, Ms(now + lease)).Bind(3, event.id);
      RETURN_IF_ERROR(lease_stmt.Run());
    }
    return out;
  }

  absl::Status AddStep(int64_t id, int64_t at, const std::string& step, const std::string& outcome,
                       const std::string& detail) {
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
        "INSERT INTO event_steps (event_id, at_ms, step, outcome, detail) VALUES (?, ?, ?, ?, ?)"));
    stmt.Bind(1, id).Bind(2, at).Bind(3, step).Bind(4, outcome).Bind(5, detail);
    return stmt.Run();
  }

  static StoredEvent Read(const Statement& stmt) {
    StoredEvent e;
    e.id = stmt.Int(0);
    e.connection_id = stmt.Text(1);
    e.delivery_id = stmt.Text(2);
    e.candidate_id = stmt.Int(3);
    e.application_id = stmt.Int(4);
    e.state = ParseState(stmt.Text(5)).value_or(EventState::kReceived);
    e.attempts = static_cast<int>(stmt.Int(6));
    e.received_at = FromMs(stmt.Int(7));
    e.next_attempt_at = FromMs(stmt.Int(8));
    e.event.ParseFromString(stmt.Text(9));
    e.map_result = stmt.Text(10);
    e.write_result = stmt.Text(11);
    e.note_result = stmt.Text(12);
    e.outcome = stmt.Text(13);
    e.last_error = stmt.Text(14);
    return e;
  }

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
};

}  // namespace

const char* StateName(EventState state) { return kStateNames[static_cast<int>(state)]; }

std::optional<EventState> ParseState(const std::string& name) {
  for (int i = 0; i < 6; ++i) {
    if (name == kStateNames[i]) return static_cast<EventState>(i);
  }
  return std::nullopt;
}

absl::StatusOr<std::unique_ptr<Inbox>> OpenSqliteInbox(const std::string& path) {
  ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  auto inbox = std::make_unique<SqliteInbox>(std::move(db));
  RETURN_IF_ERROR(inbox->Migrate());
  return std::unique_ptr<Inbox>(std::move(inbox));
}

}  // namespace hiresync::store
