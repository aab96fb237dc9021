// The inbox gauges against a real (SQLite) inbox and the real pause decision.
#include "services/ingress/inbox_gauges.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/ingress/connection_states.h"
#include "tests/support/process.h"

namespace hiresync::ingress {
namespace {

using hiresync::testing::TempDir;

// A config of connections given as "id:STATE,id:STATE".
std::shared_ptr<const config::Connections> Connections(const std::string& ids_and_states) {
  setenv("HIRESYNC_TEST_SECRET", "x", 1);
  std::string json = R"({"connections": [)";
  for (absl::string_view entry : absl::StrSplit(ids_and_states, ',')) {
    std::pair<std::string, std::string> id_state = absl::StrSplit(entry, ':');
    absl::StrAppend(&json, json.back() == '[' ? "" : ",", R"({"id": ")", id_state.first,
                    R"(", "state": ")", id_state.second,
                    R"(", "webhook_secret": {"env": "HIRESYNC_TEST_SECRET"},
         "goco": {"base_url": "http://127.0.0.1:1/v1/companies/x",
                  "api_key": {"env": "HIRESYNC_TEST_SECRET"}}})");
  }
  auto parsed = config::Parse(json + "]}", "test config");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : nullptr;
}

hiresync::v1::HireEvent Hire(const std::string& connection, const std::string& key,
                             int64_t received_s) {
  hiresync::v1::HireEvent e;
  e.set_connection_id(connection);
  e.set_delivery_id(key);
  e.set_body_sha256(key);
  e.mutable_application()->set_id(1);
  e.mutable_application()->mutable_candidate()->set_id(1);
  e.mutable_received_at()->set_seconds(received_s);
  e.set_raw_payload("{}");
  return e;
}

class InboxGaugesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto inbox = store::OpenSqliteInbox(dir_.File("inbox.db"));
    ASSERT_TRUE(inbox.ok()) << inbox.status();
    inbox_ = std::move(*inbox);
  }

  // The gauge `name`'s value for `connection`, nullopt when it has no such series.
  std::optional<double> Value(const std::string& name, const std::string& connection) {
    for (const auto& family : registry_.Collect()) {
      if (family.name != name) continue;
      for (const auto& metric : family.metric) {
        for (const auto& label : metric.label) {
          if (label.name == "connection" && label.value == connection) return metric.gauge.value;
        }
      }
    }
    return std::nullopt;
  }

  void Refresh() {
    ConnectionStates states(
        inbox_.get(), [this] { return connections_; }, absl::ZeroDuration());
    gauges_.Refresh(*inbox_, *connections_, states.Paused());
  }

  TempDir dir_;
  std::unique_ptr<store::OperatorInbox> inbox_;
  std::shared_ptr<const config::Connections> connections_;
  prometheus::Registry registry_;
  InboxGauges gauges_{registry_};
};

TEST_F(InboxGaugesTest, OldestUnfinishedHireAndPauseArePerConnection) {
  connections_ = Connections("acme:ACTIVE,globex:PAUSED,initech:ACTIVE,umbrella:PAUSED");
  ASSERT_NE(connections_, nullptr);
  Refresh();
  // Every configured connection is there before it has a hire.
  for (const char* id : {"acme", "globex", "initech", "umbrella"}) {
    EXPECT_EQ(Value("hiresync_oldest_pending_event_timestamp_seconds", id), 0) << id;
  }
  EXPECT_EQ(Value("hiresync_connection_paused", "acme"), 0);
  EXPECT_EQ(Value("hiresync_connection_paused", "globex"), 1);

  ASSERT_TRUE(inbox_->Insert(Hire("acme", "a1", 1700000100)).ok());
  ASSERT_TRUE(inbox_->Insert(Hire("acme", "a2", 1700000200)).ok());
  ASSERT_TRUE(inbox_->Insert(Hire("globex", "g1", 1700000300)).ok());
  auto done = inbox_->Insert(Hire("initech", "i1", 1700000050));
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(
      inbox_->Advance(done->id, {.state = store::EventState::kDone, .step = "note"}, absl::Now())
          .ok());
  // An operator pauses acme and resumes umbrella (PAUSED in its config).
  ASSERT_TRUE(inbox_->SetConnectionOverride("acme", true, "alice", absl::Now()).ok());
  ASSERT_TRUE(inbox_->SetConnectionOverride("umbrella", false, "alice", absl::Now()).ok());
  Refresh();
  EXPECT_EQ(Value("hiresync_oldest_pending_event_timestamp_seconds", "acme"), 1700000100);
  EXPECT_EQ(Value("hiresync_oldest_pending_event_timestamp_seconds", "globex"), 1700000300);
  EXPECT_EQ(Value("hiresync_oldest_pending_event_timestamp_seconds", "initech"), 0);
  EXPECT_EQ(Value("hiresync_connection_paused", "acme"), 1);
  EXPECT_EQ(Value("hiresync_connection_paused", "globex"), 1);
  EXPECT_EQ(Value("hiresync_connection_paused", "initech"), 0);
  EXPECT_EQ(Value("hiresync_connection_paused", "umbrella"), 0);
}

TEST_F(InboxGaugesTest, AConnectionRemovedFromTheConfigKeepsOnlyAnUnfinishedBacklog) {
  connections_ = Connections("acme:ACTIVE,globex:PAUSED,initech:ACTIVE");
  ASSERT_NE(connections_, nullptr);
  ASSERT_TRUE(inbox_->Insert(Hire("globex", "g1", 1700000300)).ok());
  Refresh();
  ASSERT_EQ(Value("hiresync_oldest_pending_event_timestamp_seconds", "globex"), 1700000300);

  // A reload drops globex (its hire still waits, for a connection that is gone: the backlog
  // stays visible, and it is no longer paused) and initech (nothing of it waits: no series).
  connections_ = Connections("acme:ACTIVE");
  ASSERT_NE(connections_, nullptr);
  Refresh();
  EXPECT_EQ(Value("hiresync_oldest_pending_event_timestamp_seconds", "globex"), 1700000300);
  EXPECT_EQ(Value("hiresync_connection_paused", "globex"), std::nullopt);
  EXPECT_EQ(Value("hiresync_oldest_pending_event_timestamp_seconds", "initech"), std::nullopt);
  EXPECT_EQ(Value("hiresync_connection_paused", "initech"), std::nullopt);
  EXPECT_EQ(Value("hiresync_oldest_pending_event_timestamp_seconds", "acme"), 0);

  // Once globex's hire is finished (DEAD), its series goes too.
  auto events = inbox_->Find({.connection_id = "globex", .limit = 10});
  ASSERT_TRUE(events.ok() && events->size() == 1u);
  ASSERT_TRUE(inbox_
                  ->Advance(events->front().id,
                            {.state = store::EventState::kDead, .step = "connection"}, absl::Now())
                  .ok());
  Refresh();
  EXPECT_EQ(Value("hiresync_oldest_pending_event_timestamp_seconds", "globex"), std::nullopt);
}

TEST_F(InboxGaugesTest, EventsByStateCountTheInbox) {
  connections_ = Connections("acme:ACTIVE");
  ASSERT_NE(connections_, nullptr);
  ASSERT_TRUE(inbox_->Insert(Hire("acme", "a1", 1700000100)).ok());
  ASSERT_TRUE(inbox_->Insert(Hire("acme", "a2", 1700000200)).ok());
  Refresh();
  std::map<std::string, double> by_state;
  for (const auto& family : registry_.Collect()) {
    if (family.name != "hiresync_events") continue;
    for (const auto& metric : family.metric) by_state[metric.label[0].value] = metric.gauge.value;
  }
  EXPECT_EQ(
      by_state,
      (std::map<std::string, double>{
          {"RECEIVED", 2}, {"MAPPED", 0}, {"WRITTEN", 0}, {"NOTED", 0}, {"DONE", 0}, {"DEAD", 0}}));
}

}  // namespace
}  // namespace hiresync::ingress
