// The inbox: every accepted hire_candidate delivery, its state in the pipeline and the
// result of each step, so a restart resumes where it stopped and an operator can see
// why an event is where it is. One interface, two implementations: SQLite (embedded, one
// process owns the file) and PostgreSQL (a database several ingress replicas share).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hiresync/v1/hire_event.pb.h"

namespace hiresync::store {

// RECEIVED -> MAPPED -> WRITTEN -> NOTED -> DONE, or DEAD after the retry budget.
enum class EventState { kReceived, kMapped, kWritten, kNoted, kDone, kDead };

const char* StateName(EventState state);
std::optional<EventState> ParseState(const std::string& name);
inline bool IsTerminal(EventState state) {
  return state == EventState::kDone || state == EventState::kDead;
}

struct StoredEvent {
  int64_t id = 0;
  std::string connection_id;
  std::string delivery_id;
  int64_t candidate_id = 0;
  int64_t application_id = 0;
  EventState state = EventState::kReceived;
  int attempts = 0;
  absl::Time received_at;
  absl::Time next_attempt_at;
  hiresync::v1::HireEvent event;
  // Serialized results of the steps that ran (empty until they do).
  std::string map_result;
  std::string write_result;
  std::string note_result;
  std::string outcome;
  std::string last_error;
  // Operator's override for the writer: sync even when GoCo has an employee of this name.
  bool allow_duplicate_name = false;
  // How often an operator replayed the event; notes of a replay get their own ledger key.
  int replay_count = 0;
  // When the last replay was asked for: the retry budget's age counts from then.
  std::optional<absl::Time> replayed_at;
  // When the payload and personal data were removed after the retention period.
  std::optional<absl::Time> payload_purged_at;
};

// One line of an event's history.
struct StepRecord {
  absl::Time at;
  std::string step;     // "received", "map", "write", "note", "retry", "dead", ...
  std::string outcome;  // "ok", "transient", "created", "duplicate", ...
  std::string detail;
};

struct InsertResult {
  int64_t id = 0;          // the new event's id; 0 for a duplicate
  bool duplicate = false;  // same delivery id or same body already stored
};

// What a step changes on an event: its new state and, when the step produced one, its
// result; recorded with a history line in one transaction.
struct StepUpdate {
  EventState state;
  std::string step;
  std::string outcome;
  std::string detail;
  std::optional<std::string> map_result;
  std::optional<std::string> write_result;
  std::optional<std::string> note_result;
  // Set for DONE / DEAD: the event's final outcome in a word ("created", "duplicate", ...).
  std::optional<std::string> final_outcome;
};

class Inbox {
 public:
  virtual ~Inbox() = default;

  // Stores the event durably before returning, unless the same (connection, delivery id)
  // or (connection, body sha256) is already stored.
  virtual absl::StatusOr<InsertResult> Insert(const hiresync::v1::HireEvent& event) = 0;

  // Claims up to `limit` events that are due (next_attempt_at <= now), not terminal, not
  // leased by a live claim, not of a connection in `skip_connections`, and with no earlier
  // unfinished event of the same candidate (events of one candidate run in order).
  // Claimed events are leased to `owner` until now + lease.
  virtual absl::StatusOr<std::vector<StoredEvent>> Claim(
      absl::Time now, int limit, absl::Duration lease, const std::string& owner,
      const std::set<std::string>& skip_connections) = 0;

  // Applies a step's result and releases the lease when the state is terminal.
  virtual absl::Status Advance(int64_t id, const StepUpdate& update, absl::Time now) = 0;

  // Records a transient failure: attempts+1, next attempt at `next`, lease released.
  virtual absl::Status ScheduleRetry(int64_t id, absl::Time next, const std::string& step,
                                     const std::string& error, absl::Time now) = 0;

  // Releases the lease of an event without recording an attempt (shutdown).
  virtual absl::Status Release(int64_t id) = 0;

  // Releases every lease. Only for a single-owner store (the SQLite file, which one process
  // locks): leases found at start were left by a previous run that died. On a shared store
  // (PostgreSQL) it does nothing and returns OK, since other live replicas hold leases
  // there; a dead replica's leases expire and Claim takes those events over.
  virtual absl::Status ReleaseAllLeases() = 0;

  virtual absl::StatusOr<std::optional<StoredEvent>> Get(int64_t id) = 0;
  virtual absl::StatusOr<std::vector<StepRecord>> History(int64_t id) = 0;
  // How many events each state holds (states without events are left out), in one query.
  virtual absl::StatusOr<std::map<EventState, int64_t>> CountByState() = 0;
  // How many events are in `state` (nullopt: in all), from CountByState().
  absl::StatusOr<int64_t> Count(std::optional<EventState> state);
  // Received time of the oldest unfinished (not DONE or DEAD) event of each connection that
  // has one.
  virtual absl::StatusOr<std::map<std::string, absl::Time>> OldestPendingByConnection() = 0;
};

// Which events an operator lists: every filter is optional ("" / nullopt / 0 means any).
struct EventFilter {
  std::string connection_id;
  std::optional<EventState> state;
  int64_t candidate_id = 0;
  int limit = 50;
};

// An operator's replay: who asked, why, and the override it carries.
struct ReplayRequest {
  bool allow_duplicate_name = false;
  std::string by;
  std::string reason;
};

// An operator's runtime pause or resume of a connection, which wins over the config's state.
struct ConnectionOverride {
  std::string connection_id;
  bool paused = false;
  absl::Time set_at;
  std::string set_by;
};

// The inbox with the operator's actions (hiresyncctl). Kept apart from Inbox so that a
// fake of the pipeline's interface need not implement them.
class OperatorInbox : public Inbox {
 public:
  // Events matching `filter`, newest first.
  virtual absl::StatusOr<std::vector<StoredEvent>> Find(const EventFilter& filter) = 0;

  // Sends a finished (DONE or DEAD) event through the pipeline again from the start:
  // RECEIVED, no attempts, due now, the steps' results cleared, replay_count + 1, with a
  // "replay" history line. NOT_FOUND for no such event; FAILED_PRECONDITION for an event
  // still in the pipeline or whose payload was purged.
  virtual absl::Status Replay(int64_t id, const ReplayRequest& request, absl::Time now) = 0;

  // Replays every DEAD event (payload not purged) of a connection; returns how many.
  virtual absl::StatusOr<int64_t> ReplayDead(const std::string& connection_id,
                                             const ReplayRequest& request, absl::Time now) = 0;

  // Sets (paused true/false) or, with nullopt, removes a connection's override.
  virtual absl::Status SetConnectionOverride(const std::string& connection_id,
                                             std::optional<bool> paused, const std::string& by,
                                             absl::Time now) = 0;
  virtual absl::StatusOr<std::vector<ConnectionOverride>> ConnectionOverrides() = 0;

  // For DONE and DEAD events received before `received_before` and not purged yet: removes
  // the raw payload and the candidate's personal data from the stored event and the
  // mapper's draft (ids, state, outcome, problems, note text and history stay), with a
  // "purge" history line. Returns how many events were purged.
  virtual absl::StatusOr<int64_t> PurgePayloads(absl::Time received_before, absl::Time now) = 0;
};

// The embedded inbox in a SQLite file (WAL, synchronous=FULL).
absl::StatusOr<std::unique_ptr<OperatorInbox>> OpenSqliteInbox(const std::string& path);

// The shared inbox in a PostgreSQL database, `url` a libpq connection URI
// ("postgresql://user:password@host:5432/dbname?sslmode=require"). Applies the schema
// migrations the database lacks (one replica at a time) before returning.
absl::StatusOr<std::unique_ptr<OperatorInbox>> OpenPostgresInbox(const std::string& url);

// PostgreSQL for a "postgresql://" or "postgres://" URL, otherwise a SQLite file at that path.
absl::StatusOr<std::unique_ptr<OperatorInbox>> OpenInbox(const std::string& location);

}  // namespace hiresync::store
