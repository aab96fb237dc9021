#include <functional>
#include <map>
#include <mutex>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/store/inbox.h"
#include "common/store/inbox_common.h"
#include "common/store/sqlite_db.h"

namespace hiresync::store {
namespace {

constexpr const char* kStateNames[] = {"RECEIVED", "MAPPED", "WRITTEN", "NOTED", "DONE", "DEAD"};

int64_t Ms(absl::Time t) { return absl::ToUnixMillis(t); }
absl::Time FromMs(int64_t ms) { return absl::FromUnixMillis(ms); }

constexpr int kSchemaVersion = 2;

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

// Migration 2: the operator's actions (hiresyncctl). Migrations are append only: one that
// shipped is never edited.
constexpr const char* kMigration2 = R"sql(
ALTER TABLE events ADD COLUMN allow_duplicate_name INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN replay_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN replayed_at_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN payload_purged_at_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_purgeable ON events (received_at_ms)
  WHERE payload_purged_at_ms = 0 AND state IN ('DONE', 'DEAD');
CREATE TABLE connection_overrides (
  connection_id TEXT PRIMARY KEY,
  paused INTEGER NOT NULL,
  set_at_ms INTEGER NOT NULL,
  set_by TEXT NOT NULL
);
)sql";

constexpr const char* kColumns =
    "id, connection_id, delivery_id, candidate_id, application_id, state, attempts, "
    "received_at_ms, next_attempt_at_ms, hire_event, map_result, write_result, note_result, "
    "outcome, last_error, allow_duplicate_name, replay_count, replayed_at_ms, "
    "payload_purged_at_ms";

// Replays the events matching `where` (with its one parameter bound by `bind`).
constexpr const char* kReplaySet =
    "UPDATE events SET state = 'RECEIVED', attempts = 0, next_attempt_at_ms = ?1,"
    " lease_owner = NULL, lease_until_ms = 0, map_result = NULL, write_result = NULL,"
    " note_result = NULL, outcome = '', last_error = '', allow_duplicate_name = ?2,"
    " replay_count = replay_count + 1, replayed_at_ms = ?1, updated_at_ms = ?1 WHERE ";

class SqliteInbox : public OperatorInbox {
 public:
  explicit SqliteInbox(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}

  absl::Status Migrate() {
    RETURN_IF_ERROR(db_->Exec(kSchema));
    return InTransaction([&]() -> absl::Status {
      ASSIGN_OR_RETURN(auto stmt,
                       db_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      int64_t version = row ? stmt.Int(0) : 0;
      if (version > kSchemaVersion) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the inbox database has schema version ", version, " but this binary knows up to ",
            kSchemaVersion, ": run a newer hiresync-ingress"));
      }
      auto record = [&](int64_t applied) -> absl::Status {
        ASSIGN_OR_RETURN(auto insert,
                         db_->Prepare("INSERT INTO schema_version (version) VALUES (?)"));
        insert.Bind(1, applied);
        return insert.Run();
      };
      // Version 1 is kSchema itself (its statements are idempotent).
      if (version < 1) RETURN_IF_ERROR(record(1));
      if (version < 2) {
        RETURN_IF_ERROR(db_->Exec(kMigration2));
        RETURN_IF_ERROR(record(2));
      }
      return absl::OkStatus();
    });
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

  absl::StatusOr<std::map<EventState, int64_t>> CountByState() override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT state, COUNT(*) FROM events GROUP BY state"));
    std::map<EventState, int64_t> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      if (auto state = ParseState(stmt.Text(0))) out[*state] = stmt.Int(1);
    }
    return out;
  }

  absl::StatusOr<std::map<std::string, absl::Time>> OldestPendingByConnection() override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(auto stmt,
                     db_->Prepare("SELECT connection_id, MIN(received_at_ms) FROM events"
                                  " WHERE state NOT IN ('DONE', 'DEAD') GROUP BY connection_id"));
    std::map<std::string, absl::Time> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.emplace(stmt.Text(0), FromMs(stmt.Int(1)));
    }
    return out;
  }

  absl::StatusOr<std::vector<StoredEvent>> Find(const EventFilter& filter) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare(absl::StrCat(
        "SELECT ", kColumns, " FROM events WHERE (?1 = '' OR connection_id = ?1)"
        " AND (?2 = '' OR state = ?2) AND (?3 = 0 OR candidate_id = ?3)"
        " ORDER BY id DESC LIMIT ?4")));
    stmt.Bind(1, filter.connection_id)
        .Bind(2, std::string(filter.state ? StateName(*filter.state) : ""))
        .Bind(3, filter.candidate_id)
        .Bind(4, int64_t{filter.limit});
    std::vector<StoredEvent> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.push_back(Read(stmt));
    }
    return out;
  }

  absl::Status Replay(int64_t id, const ReplayRequest& request, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    return InTransaction([&]() -> absl::Status {
      ASSIGN_OR_RETURN(auto check, db_->Prepare(
          "SELECT state, payload_purged_at_ms FROM events WHERE id = ?"));
      check.Bind(1, id);
      ASSIGN_OR_RETURN(bool row, check.Step());
      if (!row) {
        return absl::NotFoundError(
            absl::StrCat("no event ", id, ": list the events with `hiresyncctl events`"));
      }
      RETURN_IF_ERROR(CheckReplayable(
          id, ParseState(check.Text(0)).value_or(EventState::kReceived), check.Int(1) > 0));
      return ReplayWhere("id = ?3", [&](Statement& stmt) { stmt.Bind(3, id); }, request, now)
          .status();
    });
  }

  absl::StatusOr<int64_t> ReplayDead(const std::string& connection_id,
                                     const ReplayRequest& request, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t count = 0;
    absl::Status done = InTransaction([&]() -> absl::Status {
      ASSIGN_OR_RETURN(count,
                       ReplayWhere("connection_id = ?3 AND state = 'DEAD' AND payload_purged_at_ms = 0",
                                   [&](Statement& stmt) { stmt.Bind(3, connection_id); }, request,
                                   now));
      return absl::OkStatus();
    });
    if (!done.ok()) return done;
    return count;
  }

  absl::Status SetConnectionOverride(const std::string& connection_id, std::optional<bool> paused,
                                     const std::string& by, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!paused) {
      ASSIGN_OR_RETURN(auto stmt,
                       db_->Prepare("DELETE FROM connection_overrides WHERE connection_id = ?"));
      stmt.Bind(1, connection_id);
      return stmt.Run();
    }
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
        "INSERT INTO connection_overrides (connection_id, paused, set_at_ms, set_by)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (connection_id) DO UPDATE SET paused = excluded.paused,"
        " set_at_ms = excluded.set_at_ms, set_by = excluded.set_by"));
    stmt.Bind(1, connection_id).Bind(2, int64_t{*paused}).Bind(3, Ms(now)).Bind(4, by);
    return stmt.Run();
  }

  absl::StatusOr<std::vector<ConnectionOverride>> ConnectionOverrides() override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
        "SELECT connection_id, paused, set_at_ms, set_by FROM connection_overrides"
        " ORDER BY connection_id"));
    std::vector<ConnectionOverride> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.push_back({stmt.Text(0), stmt.Int(1) != 0, FromMs(stmt.Int(2)), stmt.Text(3)});
    }
    return out;
  }

  absl::StatusOr<int64_t> PurgePayloads(absl::Time received_before, absl::Time now) override {
    // In batches, each its own transaction, so a large purge does not hold the writer lock
    // for long.
    constexpr int64_t kBatch = 200;
    int64_t purged = 0;
    while (true) {
      std::lock_guard<std::mutex> lock(mu_);
      int64_t batch = 0;
      absl::Status done = InTransaction([&]() -> absl::Status {
        ASSIGN_OR_RETURN(auto select, db_->Prepare(
            "SELECT id, hire_event, map_result FROM events WHERE payload_purged_at_ms = 0"
            " AND state IN ('DONE', 'DEAD') AND received_at_ms < ? ORDER BY id LIMIT ?"));
        select.Bind(1, Ms(received_before)).Bind(2, kBatch);
        std::vector<std::tuple<int64_t, std::string, std::string>> rows;
        while (true) {
          ASSIGN_OR_RETURN(bool row, select.Step());
          if (!row) break;
          rows.emplace_back(select.Int(0), select.Text(1), select.Text(2));
        }
        for (const auto& [id, hire_event, map_result] : rows) {
          hiresync::v1::HireEvent event;
          event.ParseFromString(hire_event);
          ASSIGN_OR_RETURN(auto update, db_->Prepare(
              "UPDATE events SET hire_event = ?, map_result = ?, payload_purged_at_ms = ?,"
              " updated_at_ms = ? WHERE id = ?"));
          update.BindBlob(1, WithoutPersonalData(event).SerializeAsString());
          std::string kept_map = MapResultWithoutPersonalData(map_result);
          if (kept_map.empty()) update.BindNull(2); else update.BindBlob(2, kept_map);
          update.Bind(3, Ms(now)).Bind(4, Ms(now)).Bind(5, id);
          RETURN_IF_ERROR(update.Run());
          RETURN_IF_ERROR(AddStep(id, Ms(now), "purge", "purged", kPurgeDetail));
        }
        batch = static_cast<int64_t>(rows.size());
        return absl::OkStatus();
      });
      if (!done.ok()) return done;
      purged += batch;
      if (batch < kBatch) return purged;
    }
  }

 private:
  // Runs `body` in BEGIN IMMEDIATE ... COMMIT (ROLLBACK when it fails); mu_ held by the caller.
  absl::Status InTransaction(const std::function<absl::Status()>& body) {
    RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
    absl::Status status = body();
    absl::Status end = db_->Exec(status.ok() ? "COMMIT" : "ROLLBACK");
    return status.ok() ? end : status;
  }

  // Adds the "replay" history line to, then replays, the events matching `where` (which
  // uses ?3, bound by `bind`). Returns how many.
  absl::StatusOr<int64_t> ReplayWhere(const std::string& where,
                                      const std::function<void(Statement&)>& bind,
                                      const ReplayRequest& request, absl::Time now) {
    ASSIGN_OR_RETURN(auto step, db_->Prepare(absl::StrCat(
        "INSERT INTO event_steps (event_id, at_ms, step, outcome, detail)"
        " SELECT id, ?1, 'replay', 'requested', ?2 FROM events WHERE ", where)));
    step.Bind(1, Ms(now)).Bind(2, ReplayDetail(request));
    bind(step);
    RETURN_IF_ERROR(step.Run());
    ASSIGN_OR_RETURN(auto update, db_->Prepare(absl::StrCat(kReplaySet, where)));
    update.Bind(1, Ms(now)).Bind(2, int64_t{request.allow_duplicate_name});
    bind(update);
    RETURN_IF_ERROR(update.Run());
    return db_->Changes();
  }

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
    e.allow_duplicate_name = stmt.Int(15) != 0;
    e.replay_count = static_cast<int>(stmt.Int(16));
    if (stmt.Int(17) > 0) e.replayed_at = FromMs(stmt.Int(17));
    if (stmt.Int(18) > 0) e.payload_purged_at = FromMs(stmt.Int(18));
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

absl::StatusOr<std::unique_ptr<OperatorInbox>> OpenSqliteInbox(const std::string& path) {
  ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  auto inbox = std::make_unique<SqliteInbox>(std::move(db));
  RETURN_IF_ERROR(inbox->Migrate());
  return std::unique_ptr<OperatorInbox>(std::move(inbox));
}

}  // namespace hiresync::store
