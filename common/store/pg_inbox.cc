// The inbox in a PostgreSQL database that several ingress replicas share. Claims lock
// rows with FOR UPDATE SKIP LOCKED, so two replicas never lease the same event; leases
// left by a replica that died expire and are taken over by the next Claim.
#include <algorithm>
#include <iterator>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"
#include "common/store/inbox.h"
#include "common/store/inbox_common.h"
#include "common/store/pg_db.h"

namespace hiresync::store {
namespace {

int64_t Ms(absl::Time t) { return absl::ToUnixMillis(t); }
absl::Time FromMs(int64_t ms) { return absl::FromUnixMillis(ms); }

// Taken for the whole migration transaction, so replicas starting together apply each
// migration once. The number is arbitrary; it only has to be the same in every replica.
constexpr int64_t kMigrationLockKey = 0x6869726573796e63;  // "hiresync"

struct Migration {
  int version;
  const char* sql;
};

// Append only: a migration that shipped is never edited.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  connection_id TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  body_sha256 TEXT NOT NULL,
  candidate_id BIGINT NOT NULL,
  application_id BIGINT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  received_at_ms BIGINT NOT NULL,
  next_attempt_at_ms BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until_ms BIGINT NOT NULL DEFAULT 0,
  hire_event BYTEA NOT NULL,
  map_result BYTEA,
  write_result BYTEA,
  note_result BYTEA,
  outcome TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT '',
  updated_at_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX events_by_delivery ON events (connection_id, delivery_id);
CREATE UNIQUE INDEX events_by_body ON events (connection_id, body_sha256);
CREATE INDEX events_ready ON events (next_attempt_at_ms, id)
  WHERE state NOT IN ('DONE', 'DEAD');
CREATE INDEX events_unfinished_by_candidate ON events (connection_id, candidate_id, id)
  WHERE state NOT IN ('DONE', 'DEAD');
CREATE TABLE event_steps (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id BIGINT NOT NULL REFERENCES events (id),
  at_ms BIGINT NOT NULL,
  step TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX event_steps_by_event ON event_steps (event_id, id);
)sql"},
    // The operator's actions (hiresyncctl).
    {2, R"sql(
ALTER TABLE events ADD COLUMN allow_duplicate_name BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE events ADD COLUMN replay_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN replayed_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN payload_purged_at_ms BIGINT NOT NULL DEFAULT 0;
CREATE INDEX events_purgeable ON events (received_at_ms, id)
  WHERE payload_purged_at_ms = 0 AND state IN ('DONE', 'DEAD');
CREATE TABLE connection_overrides (
  connection_id TEXT PRIMARY KEY,
  paused BOOLEAN NOT NULL,
  set_at_ms BIGINT NOT NULL,
  set_by TEXT NOT NULL
);
)sql"},
};

constexpr const char* kColumns =
    "id, connection_id, delivery_id, candidate_id, application_id, state, attempts, "
    "received_at_ms, next_attempt_at_ms, hire_event, map_result, write_result, note_result, "
    "outcome, last_error, allow_duplicate_name, replay_count, replayed_at_ms, "
    "payload_purged_at_ms";

// A text[] literal: every element quoted, '"' and '\' escaped.
std::string TextArray(const std::set<std::string>& values) {
  std::string out = "{";
  for (const auto& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

StoredEvent Read(const PgResult& r, int row) {
  StoredEvent e;
  e.id = r.Int(row, 0);
  e.connection_id = r.Text(row, 1);
  e.delivery_id = r.Text(row, 2);
  e.candidate_id = r.Int(row, 3);
  e.application_id = r.Int(row, 4);
  e.state = ParseState(r.Text(row, 5)).value_or(EventState::kReceived);
  e.attempts = static_cast<int>(r.Int(row, 6));
  e.received_at = FromMs(r.Int(row, 7));
  e.next_attempt_at = FromMs(r.Int(row, 8));
  e.event.ParseFromString(r.Bytes(row, 9));
  e.map_result = r.Bytes(row, 10);
  e.write_result = r.Bytes(row, 11);
  e.note_result = r.Bytes(row, 12);
  e.outcome = r.Text(row, 13);
  e.last_error = r.Text(row, 14);
  e.allow_duplicate_name = r.Text(row, 15) == "t";
  e.replay_count = static_cast<int>(r.Int(row, 16));
  if (r.Int(row, 17) > 0) e.replayed_at = FromMs(r.Int(row, 17));
  if (r.Int(row, 18) > 0) e.payload_purged_at = FromMs(r.Int(row, 18));
  return e;
}

std::vector<StoredEvent> ReadAll(const PgResult& r) {
  std::vector<StoredEvent> out;
  out.reserve(static_cast<size_t>(r.Rows()));
  for (int row = 0; row < r.Rows(); ++row) out.push_back(Read(r, row));
  return out;
}

class PgInbox : public OperatorInbox {
 public:
  explicit PgInbox(std::unique_ptr<PgPool> pool) : pool_(std::move(pool)) {}

  absl::Status Migrate() {
    constexpr int kLatest = kMigrations[std::size(kMigrations) - 1].version;
    return pool_->Transaction([&](PgConnection& tx) -> absl::Status {
      RETURN_IF_ERROR(
          tx.Exec("SELECT pg_advisory_xact_lock($1::bigint)", {PgParam::Int(kMigrationLockKey)})
              .status());
      RETURN_IF_ERROR(tx.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                              " version INTEGER PRIMARY KEY,"
                              " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
                          .status());
      ASSIGN_OR_RETURN(auto current,
                       tx.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
      int64_t version = current.Int(0, 0);
      if (version > kLatest) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the PostgreSQL inbox at ", pool_->where(), " has schema version ", version,
            " but this binary knows up to ", kLatest, ": run a newer hiresync-ingress"));
      }
      for (const auto& migration : kMigrations) {
        if (migration.version <= version) continue;
        RETURN_IF_ERROR(tx.Exec(migration.sql).status());
        RETURN_IF_ERROR(tx.Exec("INSERT INTO schema_migrations (version) VALUES ($1::integer)",
                                {PgParam::Int(migration.version)})
                            .status());
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<InsertResult> Insert(const hiresync::v1::HireEvent& event) override {
    int64_t now = Ms(absl::Now());
    int64_t received = event.has_received_at() ? event.received_at().seconds() * 1000 +
                                                     event.received_at().nanos() / 1000000
                                               : now;
    ASSIGN_OR_RETURN(
        auto r,
        pool_->Exec(
            "WITH ins AS ("
            "  INSERT INTO events (connection_id, delivery_id, body_sha256, candidate_id,"
            "   application_id, state, received_at_ms, next_attempt_at_ms, hire_event,"
            "   updated_at_ms)"
            "  VALUES ($1::text, $2::text, $3::text, $4::bigint, $5::bigint, 'RECEIVED',"
            "   $6::bigint, $6::bigint, $7::bytea, $8::bigint)"
            "  ON CONFLICT DO NOTHING RETURNING id),"
            " step AS ("
            "  INSERT INTO event_steps (event_id, at_ms, step, outcome, detail)"
            "  SELECT id, $8::bigint, 'received', 'stored', '' FROM ins)"
            " SELECT id FROM ins",
            {PgParam::Text(event.connection_id()), PgParam::Text(event.delivery_id()),
             PgParam::Text(event.body_sha256()), PgParam::Int(event.application().candidate().id()),
             PgParam::Int(event.application().id()), PgParam::Int(received),
             PgParam::Bytes(event.SerializeAsString()), PgParam::Int(now)}));
    if (r.Rows() == 0) return InsertResult{0, true};
    return InsertResult{r.Int(0, 0), false};
  }

  absl::StatusOr<std::vector<StoredEvent>> Claim(
      absl::Time now, int limit, absl::Duration lease, const std::string& owner,
      const std::set<std::string>& skip_connections) override {
    // One statement, so one transaction: rows another replica is claiming right now are
    // skipped, and a row whose lease was just taken fails the re-check after the lock.
    ASSIGN_OR_RETURN(
        auto r,
        pool_->Exec(
            absl::StrCat(
                "WITH ready AS ("
                "  SELECT id FROM events e"
                "  WHERE state NOT IN ('DONE', 'DEAD')"
                "   AND next_attempt_at_ms <= $1::bigint AND lease_until_ms <= $1::bigint"
                "   AND NOT (connection_id = ANY ($3::text[]))"
                "   AND NOT EXISTS (SELECT 1 FROM events p"
                "    WHERE p.connection_id = e.connection_id AND p.candidate_id = e.candidate_id"
                "     AND p.id < e.id AND p.state NOT IN ('DONE', 'DEAD'))"
                "  ORDER BY next_attempt_at_ms, id"
                "  LIMIT $2::bigint"
                "  FOR UPDATE SKIP LOCKED)"
                " UPDATE events SET lease_owner = $4::text, lease_until_ms = $5::bigint"
                " FROM ready WHERE events.id = ready.id"
                " RETURNING ",
                ColumnsOf("events")),
            {PgParam::Int(Ms(now)), PgParam::Int(limit), PgParam::Text(TextArray(skip_connections)),
             PgParam::Text(owner), PgParam::Int(Ms(now + lease))}));
    std::vector<StoredEvent> out = ReadAll(r);
    std::sort(out.begin(), out.end(), [](const StoredEvent& a, const StoredEvent& b) {
      return std::tie(a.next_attempt_at, a.id) < std::tie(b.next_attempt_at, b.id);
    });
    return out;
  }

  absl::Status Advance(int64_t id, const StepUpdate& u, absl::Time now) override {
    ASSIGN_OR_RETURN(
        auto r,
        pool_->Exec(
            "WITH u AS ("
            "  UPDATE events SET state = $1::text,"
            "   map_result = COALESCE($2::bytea, map_result),"
            "   write_result = COALESCE($3::bytea, write_result),"
            "   note_result = COALESCE($4::bytea, note_result),"
            "   outcome = COALESCE($5::text, outcome), updated_at_ms = $6::bigint,"
            "   lease_until_ms = CASE WHEN $7::boolean THEN 0 ELSE lease_until_ms END,"
            "   lease_owner = CASE WHEN $7::boolean THEN NULL ELSE lease_owner END"
            "  WHERE id = $8::bigint RETURNING id)"
            " INSERT INTO event_steps (event_id, at_ms, step, outcome, detail)"
            " SELECT id, $6::bigint, $9::text, $10::text, $11::text FROM u RETURNING event_id",
            {PgParam::Text(StateName(u.state)), PgParam::OptionalBytes(u.map_result),
             PgParam::OptionalBytes(u.write_result), PgParam::OptionalBytes(u.note_result),
             PgParam::OptionalText(u.final_outcome), PgParam::Int(Ms(now)),
             PgParam::Text(IsTerminal(u.state) ? "true" : "false"), PgParam::Int(id),
             PgParam::Text(u.step), PgParam::Text(u.outcome), PgParam::Text(u.detail)}));
    if (r.Rows() == 0) return absl::NotFoundError(absl::StrCat("no event ", id));
    return absl::OkStatus();
  }

  absl::Status ScheduleRetry(int64_t id, absl::Time next, const std::string& step,
                             const std::string& error, absl::Time now) override {
    ASSIGN_OR_RETURN(
        auto r,
        pool_->Exec("WITH u AS ("
                    "  UPDATE events SET attempts = attempts + 1, next_attempt_at_ms = $1::bigint,"
                    "   last_error = $2::text, lease_owner = NULL, lease_until_ms = 0,"
                    "   updated_at_ms = $3::bigint"
                    "  WHERE id = $4::bigint RETURNING id)"
                    " INSERT INTO event_steps (event_id, at_ms, step, outcome, detail)"
                    " SELECT id, $3::bigint, $5::text, 'retry', $6::text FROM u RETURNING event_id",
                    {PgParam::Int(Ms(next)), PgParam::Text(error), PgParam::Int(Ms(now)),
                     PgParam::Int(id), PgParam::Text(step),
                     PgParam::Text(
                         absl::StrCat(error, " (next attempt at ", absl::FormatTime(next), ")"))}));
    if (r.Rows() == 0) return absl::NotFoundError(absl::StrCat("no event ", id));
    return absl::OkStatus();
  }

  absl::Status Release(int64_t id) override {
    return pool_
        ->Exec("UPDATE events SET lease_owner = NULL, lease_until_ms = 0 WHERE id = $1::bigint",
               {PgParam::Int(id)})
        .status();
  }

  // Other live replicas hold leases in the same database: releasing them all would let
  // two replicas run one event. A dead replica's leases expire and Claim takes them over.
  absl::Status ReleaseAllLeases() override { return absl::OkStatus(); }

  absl::StatusOr<std::optional<StoredEvent>> Get(int64_t id) override {
    ASSIGN_OR_RETURN(
        auto r, pool_->Exec(absl::StrCat("SELECT ", kColumns, " FROM events WHERE id = $1::bigint"),
                            {PgParam::Int(id)}));
    if (r.Rows() == 0) return std::optional<StoredEvent>();
    return std::optional<StoredEvent>(Read(r, 0));
  }

  absl::StatusOr<std::vector<StepRecord>> History(int64_t id) override {
    ASSIGN_OR_RETURN(auto r, pool_->Exec("SELECT at_ms, step, outcome, detail FROM event_steps"
                                         " WHERE event_id = $1::bigint ORDER BY id",
                                         {PgParam::Int(id)}));
    std::vector<StepRecord> out;
    for (int row = 0; row < r.Rows(); ++row) {
      out.push_back({FromMs(r.Int(row, 0)), r.Text(row, 1), r.Text(row, 2), r.Text(row, 3)});
    }
    return out;
  }

  absl::StatusOr<std::map<EventState, int64_t>> CountByState() override {
    ASSIGN_OR_RETURN(auto r, pool_->Exec("SELECT state, COUNT(*) FROM events GROUP BY state"));
    std::map<EventState, int64_t> out;
    for (int row = 0; row < r.Rows(); ++row) {
      if (auto state = ParseState(r.Text(row, 0))) out[*state] = r.Int(row, 1);
    }
    return out;
  }

  absl::StatusOr<std::map<std::string, absl::Time>> OldestPendingByConnection() override {
    ASSIGN_OR_RETURN(auto r, pool_->Exec("SELECT connection_id, MIN(received_at_ms) FROM events"
                                         " WHERE state NOT IN ('DONE', 'DEAD')"
                                         " GROUP BY connection_id"));
    std::map<std::string, absl::Time> out;
    for (int row = 0; row < r.Rows(); ++row) out.emplace(r.Text(row, 0), FromMs(r.Int(row, 1)));
    return out;
  }

  absl::StatusOr<std::vector<StoredEvent>> Find(const EventFilter& filter) override {
    ASSIGN_OR_RETURN(
        auto r,
        pool_->Exec(absl::StrCat("SELECT ", kColumns,
                                 " FROM events WHERE ($1::text = '' OR connection_id = $1::text)"
                                 " AND ($2::text = '' OR state = $2::text)"
                                 " AND ($3::bigint = 0 OR candidate_id = $3::bigint)"
                                 " ORDER BY id DESC LIMIT $4::bigint"),
                    {PgParam::Text(filter.connection_id),
                     PgParam::Text(filter.state ? StateName(*filter.state) : ""),
                     PgParam::Int(filter.candidate_id), PgParam::Int(filter.limit)}));
    return ReadAll(r);
  }

  absl::Status Replay(int64_t id, const ReplayRequest& request, absl::Time now) override {
    return pool_->Transaction([&](PgConnection& tx) -> absl::Status {
      ASSIGN_OR_RETURN(auto check, tx.Exec("SELECT state, payload_purged_at_ms FROM events"
                                           " WHERE id = $1::bigint FOR UPDATE",
                                           {PgParam::Int(id)}));
      if (check.Rows() == 0) {
        return absl::NotFoundError(
            absl::StrCat("no event ", id, ": list the events with `hiresyncctl events`"));
      }
      RETURN_IF_ERROR(CheckReplayable(
          id, ParseState(check.Text(0, 0)).value_or(EventState::kReceived), check.Int(0, 1) > 0));
      return ReplayWhere(tx, "id = $3::bigint", PgParam::Int(id), request, now).status();
    });
  }

  absl::StatusOr<int64_t> ReplayDead(const std::string& connection_id,
                                     const ReplayRequest& request, absl::Time now) override {
    int64_t count = 0;
    absl::Status done = pool_->Transaction([&](PgConnection& tx) -> absl::Status {
      ASSIGN_OR_RETURN(count, ReplayWhere(tx,
                                          "connection_id = $3::text AND state = 'DEAD'"
                                          " AND payload_purged_at_ms = 0",
                                          PgParam::Text(connection_id), request, now));
      return absl::OkStatus();
    });
    if (!done.ok()) return done;
    return count;
  }

  absl::Status SetConnectionOverride(const std::string& connection_id, std::optional<bool> paused,
                                     const std::string& by, absl::Time now) override {
    if (!paused) {
      return pool_
          ->Exec("DELETE FROM connection_overrides WHERE connection_id = $1::text",
                 {PgParam::Text(connection_id)})
          .status();
    }
    return pool_
        ->Exec("INSERT INTO connection_overrides (connection_id, paused, set_at_ms, set_by)"
               " VALUES ($1::text, $2::boolean, $3::bigint, $4::text)"
               " ON CONFLICT (connection_id) DO UPDATE SET paused = excluded.paused,"
               " set_at_ms = excluded.set_at_ms, set_by = excluded.set_by",
               {PgParam::Text(connection_id), PgParam::Text(*paused ? "true" : "false"),
                PgParam::Int(Ms(now)), PgParam::Text(by)})
        .status();
  }

  absl::StatusOr<std::vector<ConnectionOverride>> ConnectionOverrides() override {
    ASSIGN_OR_RETURN(auto r, pool_->Exec("SELECT connection_id, paused, set_at_ms, set_by"
                                         " FROM connection_overrides ORDER BY connection_id"));
    std::vector<ConnectionOverride> out;
    for (int row = 0; row < r.Rows(); ++row) {
      out.push_back(
          {r.Text(row, 0), r.Text(row, 1) == "t", FromMs(r.Int(row, 2)), r.Text(row, 3)});
    }
    return out;
  }

  absl::StatusOr<int64_t> PurgePayloads(absl::Time received_before, absl::Time now) override {
    // In batches, each its own transaction; rows another replica is purging are skipped.
    constexpr int64_t kBatch = 200;
    int64_t purged = 0;
    while (true) {
      int64_t batch = 0;
      absl::Status done = pool_->Transaction([&](PgConnection& tx) -> absl::Status {
        ASSIGN_OR_RETURN(
            auto rows,
            tx.Exec("SELECT id, hire_event, map_result FROM events WHERE payload_purged_at_ms = 0"
                    " AND state IN ('DONE', 'DEAD') AND received_at_ms < $1::bigint"
                    " ORDER BY id LIMIT $2::bigint FOR UPDATE SKIP LOCKED",
                    {PgParam::Int(Ms(received_before)), PgParam::Int(kBatch)}));
        for (int row = 0; row < rows.Rows(); ++row) {
          hiresync::v1::HireEvent event;
          event.ParseFromString(rows.Bytes(row, 1));
          std::string kept_map = MapResultWithoutPersonalData(rows.Bytes(row, 2));
          RETURN_IF_ERROR(
              tx.Exec("WITH u AS ("
                      "  UPDATE events SET hire_event = $1::bytea, map_result = $2::bytea,"
                      "   payload_purged_at_ms = $3::bigint, updated_at_ms = $3::bigint"
                      "  WHERE id = $4::bigint RETURNING id)"
                      " INSERT INTO event_steps (event_id, at_ms, step, outcome, detail)"
                      " SELECT id, $3::bigint, 'purge', 'purged', $5::text FROM u",
                      {PgParam::Bytes(WithoutPersonalData(event).SerializeAsString()),
                       kept_map.empty() ? PgParam::Null() : PgParam::Bytes(kept_map),
                       PgParam::Int(Ms(now)), PgParam::Int(rows.Int(row, 0)),
                       PgParam::Text(kPurgeDetail)})
                  .status());
        }
        batch = rows.Rows();
        return absl::OkStatus();
      });
      if (!done.ok()) return done;
      purged += batch;
      if (batch < kBatch) return purged;
    }
  }

 private:
  // Adds the "replay" history line to, and replays, the events matching `where` (which
  // uses $3, given as `where_param`). Returns how many.
  static absl::StatusOr<int64_t> ReplayWhere(PgConnection& tx, const std::string& where,
                                             PgParam where_param, const ReplayRequest& request,
                                             absl::Time now) {
    ASSIGN_OR_RETURN(
        auto r,
        tx.Exec(absl::StrCat(
                    "WITH u AS ("
                    "  UPDATE events SET state = 'RECEIVED', attempts = 0,"
                    "   next_attempt_at_ms = $1::bigint, lease_owner = NULL, lease_until_ms = 0,"
                    "   map_result = NULL, write_result = NULL, note_result = NULL, outcome = '',"
                    "   last_error = '', allow_duplicate_name = $2::boolean,"
                    "   replay_count = replay_count + 1, replayed_at_ms = $1::bigint,"
                    "   updated_at_ms = $1::bigint"
                    "  WHERE ",
                    where,
                    " RETURNING id)"
                    " INSERT INTO event_steps (event_id, at_ms, step, outcome, detail)"
                    " SELECT id, $1::bigint, 'replay', 'requested', $4::text FROM u"
                    " RETURNING event_id"),
                {PgParam::Int(Ms(now)), PgParam::Text(request.allow_duplicate_name ? "true" : "false"),
                 std::move(where_param), PgParam::Text(ReplayDetail(request))}));
    return static_cast<int64_t>(r.Rows());
  }

  // kColumns qualified with `table`, for a RETURNING next to another relation.
  static std::string ColumnsOf(const std::string& table) {
    std::string out;
    for (absl::string_view column : absl::StrSplit(kColumns, ", ")) {
      if (!out.empty()) out += ", ";
      absl::StrAppend(&out, table, ".", column);
    }
    return out;
  }

  std::unique_ptr<PgPool> pool_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<OperatorInbox>> OpenPostgresInbox(const std::string& url) {
  ASSIGN_OR_RETURN(auto pool, PgPool::Open(url));
  auto inbox = std::make_unique<PgInbox>(std::move(pool));
  RETURN_IF_ERROR(inbox->Migrate());
  return std::unique_ptr<OperatorInbox>(std::move(inbox));
}

}  // namespace hiresync::store
