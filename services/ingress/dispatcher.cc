#include "services/ingress/dispatcher.h"

#include <cmath>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/crypto/crypto.h"
#include "common/failpoint/failpoint.h"
#include "common/log/log.h"
#include "common/metrics/counter_children.h"
#include "common/metrics/metrics.h"
#include "common/notes/note_text.h"
#include "common/status/status.h"

namespace hiresync::ingress {
namespace {

using hiresync::v1::MapResponse;
using hiresync::v1::PostNoteRequest;
using hiresync::v1::PostNoteResponse;
using hiresync::v1::WriteResponse;
using store::EventState;

struct DispatcherMetrics {
  metrics::CounterChildren finished;
  metrics::CounterChildren retries;
  prometheus::Histogram& hire_to_employee;
  metrics::CounterChildren notes;
  metrics::CounterChildren goco_credentials_rejected;

  static DispatcherMetrics& Get() {
    static DispatcherMetrics m;
    return m;
  }

  // Shows a connection's alerting series at 0 before their first increment, so that
  // increase() over them sees that increment too.
  void KnowConnection(const std::string& connection) {
    finished.Get({{"connection", connection}, {"outcome", "dead"}});
    goco_credentials_rejected.Get({{"connection", connection}});
  }

 private:
  DispatcherMetrics()
      : finished(prometheus::BuildCounter()
                     .Name("hiresync_events_finished_total")
                     .Help("Events that reached DONE or DEAD, by connection and final outcome "
                           "(created, created_with_warnings, duplicate, rejected, not_synced, "
                           "dead).")
                     .Register(*metrics::Registry())),
        retries(prometheus::BuildCounter()
                    .Name("hiresync_event_retries_total")
                    .Help("Transient failures that scheduled a retry, by connection and step.")
                    .Register(*metrics::Registry())),
        hire_to_employee(prometheus::BuildHistogram()
                             .Name("hiresync_hire_to_employee_seconds")
                             .Help("Time from the webhook's arrival to the GoCo employee's "
                                   "creation, retries included.")
                             .Register(*metrics::Registry())
                             .Add({}, metrics::PipelineBuckets())),
        notes(prometheus::BuildCounter()
                  .Name("hiresync_notes_requested_total")
                  .Help("Notes ingress asked the notes service to write, by connection and "
                        "kind.")
                  .Register(*metrics::Registry())),
        goco_credentials_rejected(
            prometheus::BuildCounter()
                .Name("hiresync_goco_credentials_rejected_total")
                .Help("Write attempts GoCo refused for the connection's API key (401/403); "
                      "the hire waits until the key is fixed.")
                .Register(*metrics::Registry())) {}
};

std::string Summarize(const google::protobuf::RepeatedPtrField<hiresync::v1::Problem>& problems) {
  std::vector<std::string> codes;
  for (const auto& p : problems) codes.push_back(p.code());
  return absl::StrJoin(codes, ",");
}

bool HasErrors(const MapResponse& map) { return !map.syncable(); }

// The event's outcome in a word, from the steps' results.
std::string FinalOutcome(const MapResponse& map, const WriteResponse* write) {
  if (HasErrors(map) || write == nullptr) return "not_synced";
  switch (write->outcome()) {
    case WriteResponse::CREATED:
      return (write->problems_size() > 0 || map.problems_size() > 0) ? "created_with_warnings"
                                                                      : "created";
    case WriteResponse::DUPLICATE: return "duplicate";
    case WriteResponse::REJECTED: return "rejected";
    default: return "unknown";
  }
}

// The notes ledger's key for the event: a replay's notes get their own, since the first
// run's notes were already written.
std::string NoteEventId(const store::StoredEvent& event) {
  if (event.replay_count > 0) {
    return absl::StrCat(event.connection_id, "/", event.id, "/r", event.replay_count);
  }
  return absl::StrCat(event.connection_id, "/", event.id);
}

PostNoteRequest BaseNote(const store::StoredEvent& event, PostNoteRequest::Kind kind) {
  PostNoteRequest request;
  request.set_connection_id(event.connection_id);
  request.set_candidate_id(event.candidate_id);
  request.set_event_id(NoteEventId(event));
  request.set_kind(kind);
  return request;
}

// The note an event's outcome calls for, or nullopt when none is (a clean sync with
// success notes off).
std::optional<PostNoteRequest> OutcomeNote(const store::StoredEvent& event,
                                           const config::Connection& conn, const MapResponse& map,
                                           const WriteResponse& write) {
  bool created = map.syncable() && write.outcome() == WriteResponse::CREATED;
  bool warnings = map.problems_size() > 0 || write.problems_size() > 0;
  if (created && !warnings && !conn.proto.mapping().success_notes()) return std::nullopt;
  PostNoteRequest request =
      BaseNote(event, created ? (warnings ? PostNoteRequest::SYNCED_WITH_WARNINGS
                                          : PostNoteRequest::SYNCED)
                              : PostNoteRequest::NOT_SYNCED);
  request.set_employee_id(write.employee_id());
  request.set_reason(write.reason());
  for (const auto& p : map.problems()) *request.add_problems() = p;
  for (const auto& p : write.problems()) *request.add_problems() = p;
  if (event.replay_count == 0) {
    // Greenhouse re-sends a hire (a rehire, an edited payload) as a new event. Keyed by the
    // application and what the note says, the recruiter never reads the same note twice,
    // and does read one that says something new. (A replay keeps its own key: the operator
    // asked for it.)
    PostNoteRequest content = request;
    content.clear_event_id();
    content.clear_candidate_id();
    request.set_event_id(absl::StrCat(event.connection_id, "/app-", event.application_id, "/",
                                      crypto::Sha256Hex(content.SerializeAsString()).substr(0, 16)));
  }
  return request;
}

}  // namespace

Dispatcher::Dispatcher(store::Inbox* inbox, ConnectionsFn connections, MapperClient* mapper,
                       WriterClient* writer, NotesClient* notes, DispatcherOptions options)
    : inbox_(inbox),
      connections_(std::move(connections)),
      mapper_(mapper),
      writer_(writer),
      notes_(notes),
      options_(std::move(options)) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  DispatcherMetrics& metrics = DispatcherMetrics::Get();
  for (const auto& [id, conn] : connections_()->all()) metrics.KnowConnection(id);
  for (int i = 0; i < options_.workers; ++i) {
    threads_.emplace_back([this, i] { WorkerLoop(i); });
  }
}

void Dispatcher::Stop() {
  stopping_ = true;
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void Dispatcher::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wake_generation_;
  }
  wake_.notify_one();
}

void Dispatcher::WorkerLoop(int index) {
  std::string owner = absl::StrCat(options_.owner, "/", index);
  while (!stopping_) {
    uint64_t generation;
    {
      std::lock_guard<std::mutex> lock(mu_);
      generation = wake_generation_;
    }
    std::set<std::string> paused;
    if (options_.paused_connections) {
      paused = options_.paused_connections();
    } else {
      for (const auto& [id, conn] : connections_()->all()) {
        if (conn.paused()) paused.insert(id);
      }
    }
    auto claimed = inbox_->Claim(absl::Now(), 1, options_.lease, owner, paused);
    if (!claimed.ok()) {
      log::Error("inbox claim failed", {{"error", std::string(claimed.status().message())}});
    } else if (!claimed->empty()) {
      Process(std::move(claimed->front()));
      continue;
    }
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, absl::ToChronoMilliseconds(options_.idle_poll),
                   [&] { return stopping_ || wake_generation_ != generation; });
  }
}

absl::Duration Dispatcher::Backoff(int attempts) {
  double factor = std::pow(2.0, std::min(attempts, 30));
  absl::Duration d = std::min(options_.retry_base * factor, options_.retry_max);
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return d * jitter(rng);
}

void Dispatcher::Retry(const store::StoredEvent& event, const std::string& step,
                       const std::string& error, absl::Duration at_least) {
  absl::Time now = absl::Now();
  int attempts = event.attempts + 1;
  DispatcherMetrics::Get().retries.Increment({{"connection", event.connection_id}, {"step", step}});
  // A replay starts the budget afresh.
  absl::Time since = event.replayed_at.value_or(event.received_at);
  int max_attempts = options_.max_attempts;
  absl::Duration max_age = options_.max_age;
  {
    auto connections = connections_();
    if (const config::Connection* conn = connections->Find(event.connection_id)) {
      const auto& budget = conn->proto.retry_budget();
      if (budget.max_attempts() > 0) max_attempts = budget.max_attempts();
      if (budget.max_age_seconds() > 0) max_age = absl::Seconds(budget.max_age_seconds());
    }
  }
  if (attempts >= max_attempts || now - since > max_age) {
    std::string detail = absl::StrCat("gave up after ", attempts, " attempts since ",
                                      absl::FormatTime(since), ": ", error);
    PostNoteResponse note = GaveUpNote(event, step, detail);
    auto status = inbox_->Advance(
        event.id,
        store::StepUpdate{.state = EventState::kDead,
                          .step = step,
                          .outcome = "dead",
                          .detail = detail,
                          .note_result = note.SerializeAsString(),
                          .final_outcome = "dead"},
        now);
    DispatcherMetrics::Get().finished.Increment(
        {{"connection", event.connection_id}, {"outcome", "dead"}});
    log::Error("event dead", {{"event_id", event.id}, {"connection", event.connection_id},
                              {"step", step}, {"error", error}, {"status", status.ToString()}});
    return;
  }
  // A hint (GoCo's Retry-After, the writer's wait for a new API key) is honoured, but never
  // beyond --retry_max_ms, the longest delay.
  absl::Duration delay =
      std::min(std::max(Backoff(event.attempts), at_least), options_.retry_max);
  auto status = inbox_->ScheduleRetry(event.id, now + delay, step, error, now);
  log::Warn("step failed, will retry", {{"event_id", event.id},
                                        {"connection", event.connection_id},
                                        {"step", step},
                                        {"attempt", attempts},
                                        {"retry_in_ms", absl::ToInt64Milliseconds(delay)},
                                        {"error", error}});
  if (!status.ok()) log::Error("recording the retry failed", {{"error", status.ToString()}});
}

PostNoteResponse Dispatcher::GaveUpNote(const store::StoredEvent& event, const std::string& step,
                                        const std::string& detail) {
  PostNoteRequest request = BaseNote(event, PostNoteRequest::GAVE_UP);
  request.set_reason(absl::StrCat("hiresync tried to ",
                                  step == "map"     ? "read the hire"
                                  : step == "write" ? "create the employee in GoCo"
                                  : step == "note"  ? "write its note in Greenhouse"
                                                    : "sync the hire",
                                  " and ", detail));
  PostNoteResponse kept;
  kept.set_body(notes::ComposeNote(request));
  // When the failing step was the note itself, keep that note's text too.
  if (step == "note") {
    auto connections = connections_();
    const config::Connection* conn = connections->Find(event.connection_id);
    MapResponse map;
    WriteResponse write;
    map.ParseFromString(event.map_result);
    write.ParseFromString(event.write_result);
    if (conn != nullptr) {
      if (auto pending = OutcomeNote(event, *conn, map, write)) {
        kept.set_body(absl::StrCat(notes::ComposeNote(*pending), "\n\n", kept.body()));
      }
    }
    return kept;  // the notes service is what failed: do not try it once more
  }
  if (notes_ == nullptr) return kept;
  auto posted = notes_->Post(request);
  if (posted.ok()) {
    DispatcherMetrics::Get().notes.Increment(
        {{"connection", event.connection_id}, {"kind", "gave_up"}});
    return *posted;
  }
  log::Error("the gave-up note could not be written; its text is kept with the event",
             {{"event_id", event.id}, {"error", posted.status().ToString()}});
  return kept;
}

void Dispatcher::TellCredentialsRejected(const store::StoredEvent& event,
                                         const std::string& reason) {
  if (notes_ == nullptr) return;
  // Its own ledger key: once per event, whatever the event's final note will be.
  PostNoteRequest request = BaseNote(event, PostNoteRequest::NOT_SYNCED);
  request.set_event_id(absl::StrCat(NoteEventId(event), "/goco-credentials"));
  request.set_reason(reason);
  auto posted = notes_->Post(request);
  if (!posted.ok()) {
    log::Warn("the GoCo-credentials note could not be written; will try on the next attempt",
              {{"event_id", event.id}, {"error", posted.status().ToString()}});
  } else if (!posted->already_posted()) {
    DispatcherMetrics::Get().notes.Increment(
        {{"connection", event.connection_id}, {"kind", "goco_credentials"}});
  }
}

void Dispatcher::Process(store::StoredEvent event) {
  auto connections = connections_();
  const config::Connection* conn = connections->Find(event.connection_id);
  if (conn == nullptr) {
    Retry(event, "connection",
          absl::StrCat("connection '", event.connection_id,
                       "' is no longer in the configuration; add it back to sync this hire"),
          options_.retry_max);
    return;
  }
  DispatcherMetrics::Get().KnowConnection(event.connection_id);
  MapResponse map;
  WriteResponse write;
  if (!event.map_result.empty()) map.ParseFromString(event.map_result);
  if (!event.write_result.empty()) write.ParseFromString(event.write_result);

  auto advance = [&](store::StepUpdate update) {
    absl::Status status = inbox_->Advance(event.id, update, absl::Now());
    if (!status.ok()) {
      log::Error("recording a step failed", {{"event_id", event.id}, {"error", status.ToString()}});
      return false;
    }
    event.state = update.state;
    if (update.map_result) event.map_result = *update.map_result;
    if (update.write_result) event.write_result = *update.write_result;
    return true;
  };

  while (!stopping_) {
    switch (event.state) {
      case EventState::kReceived: {
        hiresync::v1::MapRequest request;
        *request.mutable_event() = event.event;
        *request.mutable_options() = conn->proto.mapping();
        auto result = mapper_->Map(request);
        if (!result.ok()) {
          Retry(event, "map", absl::StrCat("mapper: ", result.status().ToString()), absl::ZeroDuration());
          return;
        }
        map = *result;
        failpoint::Hit("ingress.after_map");
        if (!advance({.state = EventState::kMapped,
                      .step = "map",
                      .outcome = map.syncable() ? "ok" : "not_syncable",
                      .detail = Summarize(map.problems()),
                      .map_result = map.SerializeAsString()})) {
          return;
        }
        break;
      }
      case EventState::kMapped: {
        if (!map.syncable()) {
          if (!advance({.state = EventState::kWritten,
                        .step = "write",
                        .outcome = "skipped",
                        .detail = "not written: the hire has problems to fix first"})) {
            return;
          }
          break;
        }
        hiresync::v1::WriteRequest request;
        *request.mutable_new_hire() = map.new_hire();
        request.set_allow_duplicate_name(event.allow_duplicate_name);
        auto result = writer_->Write(request);
        if (!result.ok()) {
          Retry(event, "write", absl::StrCat("writer: ", result.status().ToString()), absl::ZeroDuration());
          return;
        }
        if (result->credentials_rejected()) {
          DispatcherMetrics::Get()
              .goco_credentials_rejected.Get({{"connection", event.connection_id}})
              .Increment();
          TellCredentialsRejected(event, result->reason());
        }
        if (result->outcome() == WriteResponse::RETRY_LATER ||
            result->outcome() == WriteResponse::OUTCOME_UNSPECIFIED) {
          Retry(event, "write", absl::StrCat("GoCo: ", result->reason()),
                absl::Seconds(result->retry_after_seconds()));
          return;
        }
        write = *result;
        failpoint::Hit("ingress.after_write");
        if (write.outcome() == WriteResponse::CREATED && !write.resumed()) {
          DispatcherMetrics::Get().hire_to_employee.Observe(
              absl::ToDoubleSeconds(absl::Now() - event.received_at));
        }
        log::Info("written", {{"event_id", event.id},
                              {"connection", event.connection_id},
                              {"outcome", WriteResponse::Outcome_Name(write.outcome())},
                              {"employee_id", write.employee_id()},
                              {"warnings", Summarize(write.problems())}});
        if (!advance({.state = EventState::kWritten,
                      .step = "write",
                      .outcome = absl::AsciiStrToLower(WriteResponse::Outcome_Name(write.outcome())),
                      .detail = absl::StrCat(write.employee_id(),
                                             write.employee_id().empty() || write.reason().empty()
                                                 ? ""
                                                 : ": ",
                                             write.reason()),
                      .write_result = write.SerializeAsString()})) {
          return;
        }
        break;
      }
      case EventState::kWritten: {
        std::optional<PostNoteRequest> note = OutcomeNote(event, *conn, map, write);
        if (!note) {
          if (!advance({.state = EventState::kNoted,
                        .step = "note",
                        .outcome = "not_needed",
                        .detail = "synced without problems; success notes are off"})) {
            return;
          }
          break;
        }
        if (notes_ == nullptr) {
          PostNoteResponse unsent;
          unsent.set_body(notes::ComposeNote(*note));
          if (!advance({.state = EventState::kNoted,
                        .step = "note",
                        .outcome = "skipped",
                        .detail = "no notes service is configured (--notes_addr); the note's "
                                  "text is kept with the event",
                        .note_result = unsent.SerializeAsString()})) {
            return;
          }
          break;
        }
        auto result = notes_->Post(*note);
        failpoint::Hit("ingress.after_note");
        if (!result.ok()) {
          Retry(event, "note", absl::StrCat("notes: ", result.status().ToString()),
                absl::ZeroDuration());
          return;
        }
        DispatcherMetrics::Get().notes.Increment(
            {{"connection", event.connection_id}, {"kind", notes::KindName(note->kind())}});
        if (!advance({.state = EventState::kNoted,
                      .step = "note",
                      .outcome = result->already_posted() ? "already_posted" : "posted",
                      .detail = absl::StrCat("note ", result->note_id()),
                      .note_result = result->SerializeAsString()})) {
          return;
        }
        break;
      }
      case EventState::kNoted: {
        std::string outcome = FinalOutcome(map, map.syncable() ? &write : nullptr);
        if (!advance({.state = EventState::kDone,
                      .step = "done",
                      .outcome = outcome,
                      .final_outcome = outcome})) {
          return;
        }
        DispatcherMetrics::Get().finished.Increment(
            {{"connection", event.connection_id}, {"outcome", outcome}});
        log::Info("event done", {{"event_id", event.id},
                                 {"connection", event.connection_id},
                                 {"outcome", outcome}});
        return;
      }
      case EventState::kDone:
      case EventState::kDead:
        return;
    }
  }
  // Stopping between steps: hand the event back so the next start resumes it.
  inbox_->Release(event.id).IgnoreError();
}

}  // namespace hiresync::ingress
