// Every inbox test runs on both backends (Sqlite/... and Postgres/...); the PostgresReplicas
// tests run two or more Inbox objects on one database, as replicas of ingress would.
#include "common/store/inbox.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/store/sqlite_db.h"
#include "hiresync/v1/mapper.pb.h"
#include "tests/support/postgres.h"
#include "tests/support/process.h"

namespace hiresync::store {
namespace {

using hiresync::testing::TempDir;
using hiresync::testing::TestPostgres;

hiresync::v1::HireEvent MakeEvent(const std::string& conn, const std::string& delivery,
                                  const std::string& body_sha, int64_t candidate, int64_t app) {
  hiresync::v1::HireEvent e;
  e.set_connection_id(conn);
  e.set_delivery_id(delivery);
  e.set_body_sha256(body_sha);
  e.mutable_application()->set_id(app);
  e.mutable_application()->mutable_candidate()->set_id(candidate);
  e.mutable_received_at()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 10);
  e.set_raw_payload("{}");
  return e;
}

// One server for every PostgreSQL test of this process, started by the first that needs
// it; each test gets a fresh database on it.
std::unique_ptr<TestPostgres>& SharedPostgresSlot() {
  static std::unique_ptr<TestPostgres> server;
  return server;
}

// Why the server could not start, for every test that needed it.
absl::Status& SharedPostgresError() {
  static absl::Status error;
  return error;
}

TestPostgres* SharedPostgres() {
  static bool tried = false;
  if (!tried) {
    tried = true;
    auto started = TestPostgres::Start();
    if (started.ok()) {
      SharedPostgresSlot() = std::move(*started);
    } else {
      SharedPostgresError() = started.status();
    }
  }
  return SharedPostgresSlot().get();
}

class SharedPostgresEnvironment : public ::testing::Environment {
 public:
  // Stops the server (and removes its directory) after the last test.
  void TearDown() override { SharedPostgresSlot().reset(); }
};

// A fresh database URL on the shared server, or a failed test.
std::string FreshPostgresDatabase() {
  TestPostgres* server = SharedPostgres();
  if (server == nullptr) {
    ADD_FAILURE() << "cannot start a test PostgreSQL server: " << SharedPostgresError();
    return "";
  }
  auto url = server->NewDatabase();
  if (!url.ok()) {
    ADD_FAILURE() << url.status();
    return "";
  }
  return *url;
}

enum class Backend { kSqlite, kPostgres };

void PrintTo(Backend backend, std::ostream* os) {
  *os << (backend == Backend::kSqlite ? "SQLite" : "PostgreSQL");
}

class InboxTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      location_ = dir_.File("inbox.db");
    } else {
      location_ = FreshPostgresDatabase();
      ASSERT_FALSE(location_.empty());
    }
    auto inbox = OpenInbox(location_);
    ASSERT_TRUE(inbox.ok()) << inbox.status();
    inbox_ = std::move(*inbox);
  }
  TempDir dir_;
  std::string location_;
  std::unique_ptr<OperatorInbox> inbox_;
  absl::Time now_ = absl::Now();
};

TEST_P(InboxTest, DedupesOnDeliveryIdAndOnBody) {
  auto first = inbox_->Insert(MakeEvent("acme", "d1", "sha-a", 1, 10));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->duplicate);
  EXPECT_GT(first->id, 0);
  auto same_delivery = inbox_->Insert(MakeEvent("acme", "d1", "sha-b", 1, 10));
  ASSERT_TRUE(same_delivery.ok());
  EXPECT_TRUE(same_delivery->duplicate);
  auto same_body = inbox_->Insert(MakeEvent("acme", "d2", "sha-a", 1, 10));
  ASSERT_TRUE(same_body.ok());
  EXPECT_TRUE(same_body->duplicate);
  auto other_conn = inbox_->Insert(MakeEvent("globex", "d1", "sha-a", 1, 10));
  ASSERT_TRUE(other_conn.ok());
  EXPECT_FALSE(other_conn->duplicate);
  EXPECT_EQ(*inbox_->Count(std::nullopt), 2);
}

TEST_P(InboxTest, SurvivesReopenWithEventAndHistory) {
  auto ins = inbox_->Insert(MakeEvent("acme", "d1", "sha-a", 7, 70));
  ASSERT_TRUE(ins.ok());
  inbox_.reset();
  auto reopened = OpenInbox(location_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto got = (*reopened)->Get(ins->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->event.application().candidate().id(), 7);
  EXPECT_EQ((*got)->event.raw_payload(), "{}");
  EXPECT_EQ((*got)->state, EventState::kReceived);
  auto history = (*reopened)->History(ins->id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].step, "received");
}

TEST_P(InboxTest, ClaimLeasesAndKeepsOneCandidateInOrder) {
  auto a1 = *inbox_->Insert(MakeEvent("acme", "d1", "s1", 1, 10));
  auto a2 = *inbox_->Insert(MakeEvent("acme", "d2", "s2", 1, 11));  // same candidate, later
  auto b1 = *inbox_->Insert(MakeEvent("acme", "d3", "s3", 2, 20));
  auto claimed = inbox_->Claim(now_, 10, absl::Seconds(30), "w1", {});
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_EQ(claimed->size(), 2u);
  EXPECT_EQ((*claimed)[0].id, a1.id);
  EXPECT_EQ((*claimed)[1].id, b1.id);
  // Leased: a second claim gets nothing until the lease ends.
  EXPECT_TRUE(inbox_->Claim(now_, 10, absl::Seconds(30), "w2", {})->empty());
  auto after_lease = inbox_->Claim(now_ + absl::Seconds(31), 10, absl::Seconds(30), "w2", {});
  EXPECT_EQ(after_lease->size(), 2u);

  StepUpdate done{.state = EventState::kDone,
                  .step = "write",
                  .outcome = "created",
                  .write_result = "w",
                  .final_outcome = "created"};
  ASSERT_TRUE(inbox_->Advance(a1.id, done, now_ + absl::Seconds(32)).ok());
  auto next = inbox_->Claim(now_ + absl::Seconds(62), 10, absl::Seconds(30), "w3", {});
  ASSERT_EQ(next->size(), 2u);
  EXPECT_EQ((*next)[0].id, a2.id);
  auto done_event = *inbox_->Get(a1.id);
  EXPECT_EQ(done_event->outcome, "created");
  EXPECT_EQ(done_event->write_result, "w");
  EXPECT_EQ(done_event->state, EventState::kDone);
}

TEST_P(InboxTest, AdvanceKeepsResultsAndHistoryInOrder) {
  auto a = *inbox_->Insert(MakeEvent("acme", "d1", "s1", 1, 10));
  std::string binary_result("map\0result\xff", 11);
  ASSERT_TRUE(inbox_
                  ->Advance(a.id,
                            {.state = EventState::kMapped,
                             .step = "map",
                             .outcome = "ok",
                             .detail = "3 fields",
                             .map_result = binary_result},
                            now_)
                  .ok());
  ASSERT_TRUE(inbox_
                  ->Advance(a.id,
                            {.state = EventState::kWritten,
                             .step = "write",
                             .outcome = "created",
                             .write_result = "employee 42"},
                            now_ + absl::Seconds(1))
                  .ok());
  auto got = *inbox_->Get(a.id);
  EXPECT_EQ(got->state, EventState::kWritten);
  EXPECT_EQ(got->map_result, binary_result);
  EXPECT_EQ(got->write_result, "employee 42");
  EXPECT_EQ(got->note_result, "");
  auto history = *inbox_->History(a.id);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].step, "map");
  EXPECT_EQ(history[1].detail, "3 fields");
  EXPECT_EQ(history[2].outcome, "created");
  EXPECT_EQ(absl::ToUnixMillis(history[2].at), absl::ToUnixMillis(now_ + absl::Seconds(1)));
  EXPECT_FALSE(inbox_->Get(a.id + 1000)->has_value());
  EXPECT_EQ(inbox_->Advance(a.id + 1000, {.state = EventState::kDone}, now_).code(),
            absl::StatusCode::kNotFound);
}

TEST_P(InboxTest, ReleaseAllLeasesHandsBackWhatADeadRunHeldOnlyOnSqlite) {
  auto a = *inbox_->Insert(MakeEvent("acme", "d1", "s1", 1, 10));
  ASSERT_EQ(inbox_->Claim(now_, 10, absl::Minutes(5), "dead-run", {})->size(), 1u);
  EXPECT_TRUE(inbox_->Claim(now_, 10, absl::Minutes(5), "new-run", {})->empty());
  ASSERT_TRUE(inbox_->ReleaseAllLeases().ok());
  auto claimed = *inbox_->Claim(now_, 10, absl::Minutes(5), "new-run", {});
  if (GetParam() == Backend::kSqlite) {
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_EQ(claimed[0].id, a.id);
  } else {
    // Shared by live replicas: the lease stands until it expires.
    EXPECT_TRUE(claimed.empty());
    auto expired = *inbox_->Claim(now_ + absl::Minutes(6), 10, absl::Minutes(5), "new-run", {});
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_EQ(expired[0].id, a.id);
  }
}

TEST_P(InboxTest, ReleaseHandsOneEventBack) {
  auto a = *inbox_->Insert(MakeEvent("acme", "d1", "s1", 1, 10));
  ASSERT_EQ(inbox_->Claim(now_, 10, absl::Minutes(5), "w1", {})->size(), 1u);
  ASSERT_TRUE(inbox_->Release(a.id).ok());
  auto again = *inbox_->Claim(now_, 10, absl::Minutes(5), "w2", {});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 0);
}

TEST_P(InboxTest, RetryWaitsAndPausedConnectionsAreSkipped) {
  auto a = *inbox_->Insert(MakeEvent("acme", "d1", "s1", 1, 10));
  auto g = *inbox_->Insert(MakeEvent("paused-co", "d1", "s1", 5, 50));
  auto claimed = *inbox_->Claim(now_, 10, absl::Seconds(30), "w", {"paused-co", "with \"quote"});
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, a.id);
  ASSERT_TRUE(inbox_->ScheduleRetry(a.id, now_ + absl::Seconds(5), "write", "GoCo 503", now_).ok());
  EXPECT_TRUE(
      inbox_->Claim(now_ + absl::Seconds(1), 10, absl::Seconds(30), "w", {"paused-co"})->empty());
  auto later = *inbox_->Claim(now_ + absl::Seconds(6), 10, absl::Seconds(30), "w", {});
  ASSERT_EQ(later.size(), 2u);
  auto retried = *inbox_->Get(a.id);
  EXPECT_EQ(retried->attempts, 1);
  EXPECT_EQ(retried->last_error, "GoCo 503");
  EXPECT_EQ((*inbox_->Count(EventState::kReceived)), 2);
  EXPECT_EQ(inbox_->OldestPendingByConnection()->size(), 2u);
  auto paused = *inbox_->Find({.connection_id = "paused-co", .limit = 10});
  ASSERT_EQ(paused.size(), 1u);
  EXPECT_EQ(paused[0].id, g.id);
}

TEST_P(InboxTest, ListAndCountFollowStates) {
  auto a = *inbox_->Insert(MakeEvent("acme", "d1", "s1", 1, 10));
  auto b = *inbox_->Insert(MakeEvent("acme", "d2", "s2", 2, 20));
  auto c = *inbox_->Insert(MakeEvent("globex", "d3", "s3", 3, 30));
  ASSERT_TRUE(inbox_
                  ->Advance(a.id,
                            {.state = EventState::kDead,
                             .step = "dead",
                             .outcome = "gave up",
                             .final_outcome = "dead"},
                            now_)
                  .ok());
  auto all = *inbox_->Find({.limit = 10});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, c.id);  // newest first
  EXPECT_EQ(all[2].id, a.id);
  EXPECT_EQ(inbox_->Find({.limit = 2})->size(), 2u);
  auto dead = *inbox_->Find({.state = EventState::kDead, .limit = 10});
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].outcome, "dead");
  EXPECT_EQ(
      inbox_->Find({.connection_id = "acme", .state = EventState::kReceived, .limit = 10})->size(),
      1u);
  EXPECT_EQ(*inbox_->Count(std::nullopt), 3);
  EXPECT_EQ(*inbox_->Count(EventState::kDead), 1);
  EXPECT_EQ(*inbox_->Count(EventState::kReceived), 2);
  (void)b;
}

TEST_P(InboxTest, OldestPendingIsPerConnectionAndIgnoresFinishedEvents) {
  EXPECT_TRUE(inbox_->OldestPendingByConnection()->empty());
  const absl::Time base = absl::FromUnixSeconds(absl::ToUnixSeconds(now_) - 3600);
  auto insert = [&](const std::string& conn, const std::string& key, absl::Duration after) {
    auto e = MakeEvent(conn, key, key, 1, 10);
    int64_t ms = absl::ToUnixMillis(base + after);
    e.mutable_received_at()->set_seconds(ms / 1000);
    e.mutable_received_at()->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
    auto inserted = inbox_->Insert(e);
    EXPECT_TRUE(inserted.ok()) << inserted.status();
    return inserted.ok() ? inserted->id : 0;
  };
  auto finish = [&](int64_t id, EventState state) {
    ASSERT_TRUE(
        inbox_->Advance(id, {.state = state, .step = "write", .final_outcome = "x"}, now_).ok());
  };
  // acme: a finished event older than its two unfinished ones; globex: one unfinished
  // (the newest of all); initech: only a DEAD one; umbrella: a later step (MAPPED).
  int64_t acme_done = insert("acme", "a0", absl::Seconds(0));
  int64_t acme_first = insert("acme", "a1", absl::Milliseconds(100250));
  insert("acme", "a2", absl::Seconds(200));
  insert("globex", "g1", absl::Seconds(300));
  int64_t initech_dead = insert("initech", "i1", absl::Seconds(50));
  int64_t umbrella = insert("umbrella", "u1", absl::Seconds(150));
  finish(acme_done, EventState::kDone);
  finish(initech_dead, EventState::kDead);
  ASSERT_TRUE(inbox_->Advance(umbrella, {.state = EventState::kMapped, .step = "map"}, now_).ok());

  auto oldest = inbox_->OldestPendingByConnection();
  ASSERT_TRUE(oldest.ok()) << oldest.status();
  std::map<std::string, absl::Time> want = {{"acme", base + absl::Milliseconds(100250)},
                                            {"globex", base + absl::Seconds(300)},
                                            {"umbrella", base + absl::Seconds(150)}};
  EXPECT_EQ(*oldest, want);

  // The oldest of acme finishes: its next one is the oldest now; the others do not move.
  finish(acme_first, EventState::kDone);
  want["acme"] = base + absl::Seconds(200);
  EXPECT_EQ(*inbox_->OldestPendingByConnection(), want);
}

// An event whose payload carries personal data, received at `received`.
hiresync::v1::HireEvent PersonalEvent(const std::string& delivery, int64_t candidate,
                                      absl::Time received) {
  auto e = MakeEvent("acme", delivery, "sha-" + delivery, candidate, candidate * 10);
  e.mutable_received_at()->set_seconds(absl::ToUnixSeconds(received));
  auto* c = e.mutable_application()->mutable_candidate();
  c->set_first_name("Ada");
  c->set_last_name("Lovelace");
  auto* email = c->add_email_addresses();
  email->set_value("ada@example.com");
  email->set_type("personal");
  e.set_raw_payload(R"({"candidate": {"first_name": "Ada"}})");
  return e;
}

std::string MapResultWithNames(int64_t candidate) {
  hiresync::v1::MapResponse map;
  map.set_syncable(true);
  map.mutable_new_hire()->set_connection_id("acme");
  map.mutable_new_hire()->set_candidate_id(candidate);
  map.mutable_new_hire()->set_first_name("Ada");
  map.mutable_new_hire()->set_personal_email("ada@example.com");
  auto* problem = map.add_problems();
  problem->set_code("department_not_in_goco");
  problem->set_value("Research");
  return map.SerializeAsString();
}

TEST_P(InboxTest, FindFiltersByConnectionStateAndCandidate) {
  auto a = *inbox_->Insert(MakeEvent("acme", "d1", "s1", 1, 10));
  auto b = *inbox_->Insert(MakeEvent("acme", "d2", "s2", 2, 20));
  auto c = *inbox_->Insert(MakeEvent("globex", "d3", "s3", 2, 30));
  ASSERT_TRUE(inbox_->Advance(b.id, {.state = EventState::kDone, .step = "done",
                                     .outcome = "created", .final_outcome = "created"}, now_)
                  .ok());
  auto all = *inbox_->Find({});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, c.id);
  auto candidate = *inbox_->Find({.candidate_id = 2});
  ASSERT_EQ(candidate.size(), 2u);
  EXPECT_EQ(candidate[0].id, c.id);
  EXPECT_EQ(candidate[1].id, b.id);
  auto acme_done = *inbox_->Find({.connection_id = "acme", .state = EventState::kDone});
  ASSERT_EQ(acme_done.size(), 1u);
  EXPECT_EQ(acme_done[0].id, b.id);
  EXPECT_EQ(acme_done[0].outcome, "created");
  EXPECT_EQ(inbox_->Find({.connection_id = "acme", .candidate_id = 2, .limit = 5})->size(), 1u);
  EXPECT_EQ(inbox_->Find({.limit = 1})->size(), 1u);
  EXPECT_TRUE(inbox_->Find({.connection_id = "nobody"})->empty());
  EXPECT_EQ(all[2].id, a.id);
  EXPECT_FALSE(all[2].allow_duplicate_name);
  EXPECT_EQ(all[2].replay_count, 0);
  EXPECT_FALSE(all[2].replayed_at.has_value());
  EXPECT_FALSE(all[2].payload_purged_at.has_value());
}

TEST_P(InboxTest, ReplayStartsAFinishedEventAgainAndKeepsItsHistory) {
  auto a = *inbox_->Insert(MakeEvent("acme", "d1", "s1", 1, 10));
  ASSERT_TRUE(inbox_->ScheduleRetry(a.id, now_, "write", "GoCo 503", now_).ok());
  ASSERT_TRUE(inbox_->Advance(a.id, {.state = EventState::kDone, .step = "done",
                                     .outcome = "duplicate", .map_result = "m",
                                     .write_result = "w", .note_result = "n",
                                     .final_outcome = "duplicate"}, now_)
                  .ok());
  absl::Time at = now_ + absl::Seconds(5);
  ASSERT_TRUE(inbox_->Replay(a.id, {.allow_duplicate_name = true, .by = "alice",
                                    .reason = "a different person"}, at)
                  .ok());
  auto got = **inbox_->Get(a.id);
  EXPECT_EQ(got.state, EventState::kReceived);
  EXPECT_EQ(got.attempts, 0);
  EXPECT_EQ(got.map_result, "");
  EXPECT_EQ(got.write_result, "");
  EXPECT_EQ(got.note_result, "");
  EXPECT_EQ(got.outcome, "");
  EXPECT_EQ(got.last_error, "");
  EXPECT_TRUE(got.allow_duplicate_name);
  EXPECT_EQ(got.replay_count, 1);
  ASSERT_TRUE(got.replayed_at.has_value());
  EXPECT_EQ(absl::ToUnixMillis(*got.replayed_at), absl::ToUnixMillis(at));
  EXPECT_EQ(absl::ToUnixMillis(got.next_attempt_at), absl::ToUnixMillis(at));
  auto history = *inbox_->History(a.id);
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[1].outcome, "retry");
  EXPECT_EQ(history[2].outcome, "duplicate");
  EXPECT_EQ(history[3].step, "replay");
  EXPECT_EQ(history[3].detail,
            "by alice: a different person; syncs even if GoCo has an employee with this name");
  auto claimed = *inbox_->Claim(at, 10, absl::Seconds(30), "w", {});
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, a.id);
  EXPECT_TRUE(claimed[0].allow_duplicate_name);

  // A second replay, without the override, counts on and drops it.
  ASSERT_TRUE(inbox_->Advance(a.id, {.state = EventState::kDead, .step = "dead",
                                     .outcome = "dead", .final_outcome = "dead"}, at)
                  .ok());
  ASSERT_TRUE(inbox_->Replay(a.id, {.by = "bob"}, at).ok());
  got = **inbox_->Get(a.id);
  EXPECT_EQ(got.replay_count, 2);
  EXPECT_FALSE(got.allow_duplicate_name);
  EXPECT_EQ(inbox_->History(a.id)->back().detail, "by bob");
}

TEST_P(InboxTest, ReplayRefusesUnknownUnfinishedAndPurgedEvents) {
  auto a = *inbox_->Insert(MakeEvent("acme", "d1", "s1", 1, 10));
  auto missing = inbox_->Replay(a.id + 100, {.by = "alice"}, now_);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("hiresyncctl events"), std::string::npos) << missing;
  auto running = inbox_->Replay(a.id, {.by = "alice"}, now_);
  EXPECT_EQ(running.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(running.message().find("still in the pipeline (RECEIVED)"), std::string::npos)
      << running;
  ASSERT_TRUE(inbox_->Advance(a.id, {.state = EventState::kDone, .step = "done",
                                     .outcome = "created", .final_outcome = "created"}, now_)
                  .ok());
  ASSERT_EQ(*inbox_->PurgePayloads(now_ + absl::Hours(1), now_), 1);
  auto purged = inbox_->Replay(a.id, {.by = "alice"}, now_);
  EXPECT_EQ(purged.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(purged.message().find("purged"), std::string::npos) << purged;
  EXPECT_EQ((*inbox_->Get(a.id))->state, EventState::kDone);
  EXPECT_EQ(inbox_->History(a.id)->back().step, "purge");
}

TEST_P(InboxTest, ReplayDeadReplaysOnlyThatConnectionsDeadEvents) {
  auto dead1 = *inbox_->Insert(MakeEvent("acme", "d1", "s1", 1, 10));
  auto dead2 = *inbox_->Insert(MakeEvent("acme", "d2", "s2", 2, 20));
  auto done = *inbox_->Insert(MakeEvent("acme", "d3", "s3", 3, 30));
  auto other = *inbox_->Insert(MakeEvent("globex", "d4", "s4", 4, 40));
  auto pending = *inbox_->Insert(MakeEvent("acme", "d5", "s5", 5, 50));
  for (int64_t id : {dead1.id, dead2.id, other.id}) {
    ASSERT_TRUE(inbox_->Advance(id, {.state = EventState::kDead, .step = "dead",
                                     .outcome = "dead", .final_outcome = "dead"}, now_)
                    .ok());
  }
  ASSERT_TRUE(inbox_->Advance(done.id, {.state = EventState::kDone, .step = "done",
                                        .outcome = "created", .final_outcome = "created"}, now_)
                  .ok());
  auto count = inbox_->ReplayDead("acme", {.by = "alice", .reason = "GoCo is back"}, now_);
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, 2);
  EXPECT_EQ((*inbox_->Get(dead1.id))->state, EventState::kReceived);
  EXPECT_EQ((*inbox_->Get(dead2.id))->replay_count, 1);
  EXPECT_EQ(inbox_->History(dead2.id)->back().detail, "by alice: GoCo is back");
  EXPECT_EQ((*inbox_->Get(done.id))->state, EventState::kDone);
  EXPECT_EQ((*inbox_->Get(other.id))->state, EventState::kDead);
  EXPECT_EQ((*inbox_->Get(pending.id))->replay_count, 0);
  EXPECT_EQ(*inbox_->ReplayDead("acme", {.by = "alice"}, now_), 0);
}

TEST_P(InboxTest, ConnectionOverridesAreSetReplacedAndCleared) {
  EXPECT_TRUE(inbox_->ConnectionOverrides()->empty());
  ASSERT_TRUE(inbox_->SetConnectionOverride("acme", true, "alice", now_).ok());
  ASSERT_TRUE(inbox_->SetConnectionOverride("globex", false, "bob", now_).ok());
  auto overrides = *inbox_->ConnectionOverrides();
  ASSERT_EQ(overrides.size(), 2u);
  EXPECT_EQ(overrides[0].connection_id, "acme");
  EXPECT_TRUE(overrides[0].paused);
  EXPECT_EQ(overrides[0].set_by, "alice");
  EXPECT_EQ(absl::ToUnixMillis(overrides[0].set_at), absl::ToUnixMillis(now_));
  EXPECT_FALSE(overrides[1].paused);
  ASSERT_TRUE(inbox_->SetConnectionOverride("acme", false, "carol", now_ + absl::Seconds(1)).ok());
  overrides = *inbox_->ConnectionOverrides();
  ASSERT_EQ(overrides.size(), 2u);
  EXPECT_FALSE(overrides[0].paused);
  EXPECT_EQ(overrides[0].set_by, "carol");
  ASSERT_TRUE(inbox_->SetConnectionOverride("acme", std::nullopt, "carol", now_).ok());
  overrides = *inbox_->ConnectionOverrides();
  ASSERT_EQ(overrides.size(), 1u);
  EXPECT_EQ(overrides[0].connection_id, "globex");
  // Kept across a reopen: it is the runtime state every replica reads.
  inbox_.reset();
  auto reopened = OpenInbox(location_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->ConnectionOverrides()->size(), 1u);
}

TEST_P(InboxTest, PurgeRemovesPersonalDataOfOldFinishedEventsOnly) {
  absl::Time old = now_ - absl::Hours(24 * 40);
  absl::Time cutoff = now_ - absl::Hours(24 * 30);
  auto done_old = *inbox_->Insert(PersonalEvent("d1", 1, old));
  auto dead_old = *inbox_->Insert(PersonalEvent("d2", 2, old));
  auto pending_old = *inbox_->Insert(PersonalEvent("d3", 3, old));
  auto done_new = *inbox_->Insert(PersonalEvent("d4", 4, now_ - absl::Hours(1)));
  for (int64_t id : {done_old.id, done_new.id}) {
    ASSERT_TRUE(inbox_->Advance(id, {.state = EventState::kDone, .step = "done",
                                     .outcome = "created", .map_result = MapResultWithNames(1),
                                     .write_result = "w", .note_result = "note text",
                                     .final_outcome = "created"}, now_)
                    .ok());
  }
  ASSERT_TRUE(inbox_->Advance(dead_old.id, {.state = EventState::kDead, .step = "dead",
                                            .outcome = "dead", .final_outcome = "dead"}, now_)
                  .ok());
  auto purged = inbox_->PurgePayloads(cutoff, now_);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 2);

  auto got = **inbox_->Get(done_old.id);
  ASSERT_TRUE(got.payload_purged_at.has_value());
  EXPECT_EQ(got.event.raw_payload(), "");
  EXPECT_EQ(got.event.application().candidate().first_name(), "");
  EXPECT_EQ(got.event.application().candidate().email_addresses_size(), 0);
  EXPECT_EQ(got.event.application().candidate().id(), 1);
  EXPECT_EQ(got.event.application().id(), 10);
  EXPECT_EQ(got.event.delivery_id(), "d1");
  EXPECT_EQ(got.candidate_id, 1);
  EXPECT_EQ(got.state, EventState::kDone);
  EXPECT_EQ(got.outcome, "created");
  EXPECT_EQ(got.write_result, "w");
  EXPECT_EQ(got.note_result, "note text");
  hiresync::v1::MapResponse map;
  ASSERT_TRUE(map.ParseFromString(got.map_result));
  EXPECT_EQ(map.new_hire().first_name(), "");
  EXPECT_EQ(map.new_hire().personal_email(), "");
  EXPECT_EQ(map.new_hire().candidate_id(), 1);
  EXPECT_TRUE(map.syncable());
  ASSERT_EQ(map.problems_size(), 1);
  EXPECT_EQ(map.problems(0).value(), "Research");
  auto history = *inbox_->History(done_old.id);
  EXPECT_EQ(history.back().step, "purge");
  EXPECT_EQ(history[history.size() - 2].outcome, "created");

  EXPECT_TRUE((*inbox_->Get(dead_old.id))->payload_purged_at.has_value());
  EXPECT_EQ((*inbox_->Get(dead_old.id))->event.raw_payload(), "");
  auto pending = **inbox_->Get(pending_old.id);
  EXPECT_FALSE(pending.payload_purged_at.has_value());
  EXPECT_EQ(pending.event.application().candidate().first_name(), "Ada");
  auto recent = **inbox_->Get(done_new.id);
  EXPECT_FALSE(recent.payload_purged_at.has_value());
  EXPECT_NE(recent.event.raw_payload(), "");
  ASSERT_TRUE(map.ParseFromString(recent.map_result));
  EXPECT_EQ(map.new_hire().first_name(), "Ada");
  // Already purged events are not purged (nor counted) again.
  EXPECT_EQ(*inbox_->PurgePayloads(cutoff, now_), 0);
  EXPECT_EQ(inbox_->History(done_old.id)->size(), history.size());
}

TEST_P(InboxTest, PurgeWorksThroughMoreThanOneBatch) {
  absl::Time old = now_ - absl::Hours(24 * 40);
  constexpr int kEvents = 210;  // just over one batch of 200
  for (int i = 0; i < kEvents; ++i) {
    auto ins = inbox_->Insert(PersonalEvent(absl::StrCat("b", i), 100 + i, old));
    ASSERT_TRUE(ins.ok()) << ins.status();
    ASSERT_TRUE(inbox_->Advance(ins->id, {.state = EventState::kDone, .step = "done",
                                          .outcome = "created", .final_outcome = "created"},
                                now_)
                    .ok());
  }
  EXPECT_EQ(*inbox_->PurgePayloads(now_, now_), kEvents);
  EXPECT_EQ(*inbox_->PurgePayloads(now_, now_), 0);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, InboxTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, InboxTest, ::testing::Values(Backend::kPostgres));

TEST(InboxLocation, RejectsAnEmptyLocationAndOtherSchemes) {
  EXPECT_EQ(OpenInbox("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenInbox("mysql://db/inbox").status().code(), absl::StatusCode::kInvalidArgument);
}

// A file written by a binary that knew only migration 1 is brought to version 2 with its
// events intact.
TEST(SqliteMigration, AVersionOneFileGetsMigrationTwoAndKeepsItsEvents) {
  TempDir dir;
  std::string path = dir.File("inbox.db");
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec(R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (1);
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, connection_id TEXT NOT NULL, delivery_id TEXT NOT NULL,
  body_sha256 TEXT NOT NULL, candidate_id INTEGER NOT NULL, application_id INTEGER NOT NULL,
  state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, received_at_ms INTEGER NOT NULL,
  next_attempt_at_ms INTEGER NOT NULL, lease_owner TEXT, lease_until_ms INTEGER NOT NULL DEFAULT 0,
  hire_event BLOB NOT NULL, map_result BLOB, write_result BLOB, note_result BLOB,
  outcome TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '',
  updated_at_ms INTEGER NOT NULL);
CREATE TABLE event_steps (event_id INTEGER NOT NULL REFERENCES events (id), at_ms INTEGER NOT NULL,
  step TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL);
INSERT INTO events (connection_id, delivery_id, body_sha256, candidate_id, application_id, state,
  received_at_ms, next_attempt_at_ms, hire_event, outcome, updated_at_ms)
  VALUES ('acme', 'd1', 's1', 7, 70, 'DEAD', 1000, 1000, '', 'dead', 1000);
)sql")
                    .ok());
  }
  auto inbox = OpenSqliteInbox(path);
  ASSERT_TRUE(inbox.ok()) << inbox.status();
  auto dead = (*inbox)->Find({.state = EventState::kDead});
  ASSERT_TRUE(dead.ok()) << dead.status();
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].candidate_id, 7);
  EXPECT_EQ((*dead)[0].replay_count, 0);
  EXPECT_EQ(*(*inbox)->ReplayDead("acme", {.by = "alice"}, absl::Now()), 1);
  inbox->reset();
  auto db = SqliteDb::Open(path);
  ASSERT_TRUE(db.ok());
  auto versions = (*db)->Prepare("SELECT version FROM schema_version ORDER BY version");
  ASSERT_TRUE(versions.ok());
  std::vector<int64_t> seen;
  while (*versions->Step()) seen.push_back(versions->Int(0));
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2}));
}

class PostgresReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = FreshPostgresDatabase();
    ASSERT_FALSE(url_.empty());
  }
  std::unique_ptr<Inbox> Open() {
    auto inbox = OpenInbox(url_);
    EXPECT_TRUE(inbox.ok()) << inbox.status();
    return inbox.ok() ? std::move(*inbox) : nullptr;
  }
  std::string url_;
  absl::Time now_ = absl::Now();
};

TEST_F(PostgresReplicasTest, ReplicasStartingTogetherMigrateOnce) {
  constexpr int kReplicas = 4;
  std::vector<absl::Status> results(kReplicas);
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kReplicas) std::this_thread::yield();
      results[static_cast<size_t>(i)] = OpenInbox(url_).status();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& status : results) EXPECT_TRUE(status.ok()) << status;
  auto rows = TestPostgres::Query(url_, "SELECT version FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0][0], "1");
  EXPECT_EQ((*rows)[1][0], "2");
}

TEST_F(PostgresReplicasTest, RefusesASchemaNewerThanTheBinary) {
  ASSERT_NE(Open(), nullptr);
  ASSERT_TRUE(
      TestPostgres::Query(url_, "INSERT INTO schema_migrations (version) VALUES (99)").ok());
  auto newer = OpenInbox(url_);
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(newer.status().message().find("run a newer hiresync-ingress"), std::string::npos);
}

TEST_F(PostgresReplicasTest, UnreachableServerIsUnavailableWithoutThePassword) {
  int port = hiresync::testing::FreePort();
  auto inbox = OpenInbox(absl::StrCat("postgresql://hiresync:s3cret@127.0.0.1:", port, "/x"));
  ASSERT_FALSE(inbox.ok());
  EXPECT_EQ(inbox.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(inbox.status().message().find("cannot connect"), std::string::npos);
  EXPECT_EQ(inbox.status().message().find("s3cret"), std::string::npos);
}

TEST_F(PostgresReplicasTest, ExpiredLeaseIsTakenOverByAnotherReplica) {
  auto replica_a = Open();
  auto replica_b = Open();
  ASSERT_NE(replica_a, nullptr);
  ASSERT_NE(replica_b, nullptr);
  auto ev = *replica_a->Insert(MakeEvent("acme", "d1", "s1", 1, 10));
  ASSERT_EQ(replica_a->Claim(now_, 10, absl::Seconds(30), "replica-a", {})->size(), 1u);
  EXPECT_TRUE(
      replica_b->Claim(now_ + absl::Seconds(29), 10, absl::Seconds(30), "replica-b", {})->empty());
  // replica-a died holding the lease; replica-b takes the event over once it expires.
  auto taken = *replica_b->Claim(now_ + absl::Seconds(31), 10, absl::Seconds(30), "replica-b", {});
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].id, ev.id);
  EXPECT_TRUE(
      replica_a->Claim(now_ + absl::Seconds(32), 10, absl::Seconds(30), "replica-a", {})->empty());
  auto owner =
      TestPostgres::Query(url_, absl::StrCat("SELECT lease_owner FROM events WHERE id = ", ev.id));
  ASSERT_TRUE(owner.ok()) << owner.status();
  EXPECT_EQ((*owner)[0][0], "replica-b");
}

TEST_F(PostgresReplicasTest, TwoReplicasClaimingInParallelNeverShareAnEvent) {
  auto replica_a = Open();
  auto replica_b = Open();
  ASSERT_NE(replica_a, nullptr);
  ASSERT_NE(replica_b, nullptr);
  // 100 candidates with two events each: 200 events, the second of a candidate claimable
  // only once the first is done.
  constexpr int kCandidates = 100;
  std::map<int64_t, int64_t> candidate_of;
  std::map<int64_t, int64_t> first_of_candidate;
  for (int round = 0; round < 2; ++round) {
    for (int c = 1; c <= kCandidates; ++c) {
      std::string key = absl::StrCat("d", round, "-", c);
      auto ins = replica_a->Insert(MakeEvent("acme", key, key, c, c * 10 + round));
      ASSERT_TRUE(ins.ok()) << ins.status();
      candidate_of[ins->id] = c;
      if (round == 0) first_of_candidate[c] = ins->id;
    }
  }

  std::mutex mu;
  std::vector<std::pair<std::string, int64_t>> log;  // ("claim"|"done", id) in order
  std::map<int64_t, std::vector<std::string>> claimers;
  std::atomic<bool> failed{false};
  std::atomic<int> ready{0};
  auto work = [&](Inbox* inbox, const std::string& owner) {
    ready.fetch_add(1);
    while (ready.load() < 2) std::this_thread::yield();
    absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline && !failed.load()) {
      auto claimed = inbox->Claim(now_, 5, absl::Minutes(10), owner, {});
      if (!claimed.ok()) {
        ADD_FAILURE() << claimed.status();
        failed = true;
        return;
      }
      if (claimed->empty()) {
        auto pending = inbox->OldestPendingByConnection();
        if (pending.ok() && pending->empty()) return;
        std::this_thread::yield();
        continue;
      }
      for (const auto& event : *claimed) {
        {
          std::lock_guard<std::mutex> lock(mu);
          log.emplace_back("claim", event.id);
          claimers[event.id].push_back(owner);
          // Logged before Advance runs, so a correct order never shows up as a violation.
          log.emplace_back("done", event.id);
        }
        auto s = inbox->Advance(event.id,
                                {.state = EventState::kDone,
                                 .step = "write",
                                 .outcome = "ok",
                                 .final_outcome = "created"},
                                now_);
        if (!s.ok()) {
          ADD_FAILURE() << s;
          failed = true;
          return;
        }
      }
    }
  };
  std::thread a(work, replica_a.get(), "replica-a");
  std::thread b(work, replica_b.get(), "replica-b");
  a.join();
  b.join();
  ASSERT_FALSE(failed.load());

  EXPECT_EQ(claimers.size(), 200u);
  for (const auto& [id, owners] : claimers) {
    EXPECT_EQ(owners.size(), 1u) << "event " << id << " claimed by " << owners.size()
                                 << " replicas";
  }
  EXPECT_EQ(*replica_b->Count(EventState::kDone), 200);
  // The second event of a candidate is claimed only after the first was marked done.
  std::map<int64_t, size_t> done_at;
  for (size_t i = 0; i < log.size(); ++i) {
    if (log[i].first == "done") done_at.emplace(log[i].second, i);
  }
  for (size_t i = 0; i < log.size(); ++i) {
    if (log[i].first != "claim") continue;
    int64_t first = first_of_candidate[candidate_of[log[i].second]];
    if (first == log[i].second) continue;
    ASSERT_TRUE(done_at.count(first)) << "event " << first << " never finished";
    EXPECT_LT(done_at[first], i) << "event " << log[i].second
                                 << " claimed before the earlier event " << first << " was done";
  }
}

}  // namespace
}  // namespace hiresync::store

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new hiresync::store::SharedPostgresEnvironment());
  return RUN_ALL_TESTS();
}
