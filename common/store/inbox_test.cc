#include "common/store/inbox.h"

#include <gtest/gtest.h>

#include "tests/support/process.h"

namespace hiresync::store {
namespace {

using hiresync::testing::TempDir;

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

class InboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto inbox = OpenSqliteInbox(dir_.File("inbox.db"));
    ASSERT_TRUE(inbox.ok()) << inbox.status();
    inbox_ = std::move(*inbox);
  }
  TempDir dir_;
  std::unique_ptr<Inbox> inbox_;
  absl::Time now_ = absl::Now();
};

TEST_F(InboxTest, DedupesOnDeliveryIdAndOnBody) {
  auto first = inbox_->Insert(MakeEvent("acme", "d1", "sha-a", 1, 10));
  ASSERT_TRUE(first.ok());
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

TEST_F(InboxTest, SurvivesReopenWithEventAndHistory) {
  auto ins = inbox_->Insert(MakeEvent("acme", "d1", "sha-a", 7, 70));
  ASSERT_TRUE(ins.ok());
  inbox_.reset();
  auto reopened = OpenSqliteInbox(dir_.File("inbox.db"));
  ASSERT_TRUE(reopened.ok());
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

TEST_F(InboxTest, ClaimLeasesAndKeepsOneCandidateInOrder) {
  auto a1 = *inbox_->Insert(MakeEvent("acme", "d1", "s1", 1, 10));
  auto a2 = *inbox_->Insert(MakeEvent("acme", "d2", "s2", 1, 11));  // same candidate, later
  auto b1 = *inbox_->Insert(MakeEvent("acme", "d3", "s3", 2, 20));
  auto claimed = inbox_->Claim(now_, 10, absl::Seconds(30), "w1", {});
  ASSERT_TRUE(claimed.ok());
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
}

TEST_F(InboxTest, ReleaseAllLeasesHandsBackWhatADeadRunHeld) {
  auto a = *inbox_->Insert(MakeEvent("acme", "d1", "s1", 1, 10));
  ASSERT_EQ(inbox_->Claim(now_, 10, absl::Minutes(5), "dead-run", {})->size(), 1u);
  EXPECT_TRUE(inbox_->Claim(now_, 10, absl::Minutes(5), "new-run", {})->empty());
  ASSERT_TRUE(inbox_->ReleaseAllLeases().ok());
  auto claimed = *inbox_->Claim(now_, 10, absl::Minutes(5), "new-run", {});
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, a.id);
}

TEST_F(InboxTest, RetryWaitsAndPausedConnectionsAreSkipped) {
  auto a = *inbox_->Insert(MakeEvent("acme", "d1", "s1", 1, 10));
  auto g = *inbox_->Insert(MakeEvent("paused-co", "d1", "s1", 5, 50));
  auto claimed = *inbox_->Claim(now_, 10, absl::Seconds(30), "w", {"paused-co"});
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, a.id);
  ASSERT_TRUE(inbox_->ScheduleRetry(a.id, now_ + absl::Seconds(5), "write", "GoCo 503", now_).ok());
  EXPECT_TRUE(inbox_->Claim(now_ + absl::Seconds(1), 10, absl::Seconds(30), "w", {"paused-co"})->empty());
  auto later = *inbox_->Claim(now_ + absl::Seconds(6), 10, absl::Seconds(30), "w", {});
  ASSERT_EQ(later.size(), 2u);
  auto retried = *inbox_->Get(a.id);
  EXPECT_EQ(retried->attempts, 1);
  EXPECT_EQ(retried->last_error, "GoCo 503");
  EXPECT_EQ((*inbox_->Count(EventState::kReceived)), 2);
  EXPECT_TRUE(inbox_->OldestPending()->has_value());
  EXPECT_EQ(inbox_->List("paused-co", std::nullopt, 10)->size(), 1u);
  (void)g;
}

}  // namespace
}  // namespace hiresync::store
