// The admin token file and the connections' pause overrides; the gRPC service itself is
// exercised through hiresyncctl in tests/integration/admin_test.cc.
#include "services/ingress/admin_service.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "services/ingress/connection_states.h"
#include "tests/support/process.h"

namespace hiresync::ingress {
namespace {

using hiresync::testing::TempDir;
using hiresync::testing::WriteFile;

TEST(ReadAdminTokenTest, StripsWhitespaceAndRefusesEmptyOrMissingFiles) {
  TempDir dir;
  WriteFile(dir.File("token"), "  s3cret-token\n");
  auto token = ReadAdminToken(dir.File("token"));
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "s3cret-token");
  WriteFile(dir.File("empty"), "\n");
  auto empty = ReadAdminToken(dir.File("empty"));
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(empty.status().message().find("is empty"), std::string::npos);
  auto missing = ReadAdminToken(dir.File("missing"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find("cannot be read"), std::string::npos);
}

class ConnectionStatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("HIRESYNC_TEST_SECRET", "x", 1);
    auto parsed = config::Parse(R"({"connections": [
        {"id": "acme", "webhook_secret": {"env": "HIRESYNC_TEST_SECRET"},
         "goco": {"base_url": "http://127.0.0.1:1/v1/companies/acme",
                  "api_key": {"env": "HIRESYNC_TEST_SECRET"}}},
        {"id": "globex", "state": "PAUSED", "webhook_secret": {"env": "HIRESYNC_TEST_SECRET"},
         "goco": {"base_url": "http://127.0.0.1:1/v1/companies/globex",
                  "api_key": {"env": "HIRESYNC_TEST_SECRET"}}}]})",
                                "test config");
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    connections_ = *parsed;
    auto inbox = store::OpenSqliteInbox(dir_.File("inbox.db"));
    ASSERT_TRUE(inbox.ok()) << inbox.status();
    inbox_ = std::move(*inbox);
  }
  TempDir dir_;
  std::shared_ptr<const config::Connections> connections_;
  std::unique_ptr<store::OperatorInbox> inbox_;
};

TEST_F(ConnectionStatesTest, AnOverrideWinsOverTheConfigUntilCleared) {
  ConnectionStates states(inbox_.get(), [this] { return connections_; }, absl::Hours(1));
  EXPECT_EQ(states.Paused(), (std::set<std::string>{"globex"}));
  ASSERT_TRUE(inbox_->SetConnectionOverride("acme", true, "alice", absl::Now()).ok());
  ASSERT_TRUE(inbox_->SetConnectionOverride("globex", false, "alice", absl::Now()).ok());
  // Cached for max_age, unless this process says it changed them.
  EXPECT_EQ(states.Paused(), (std::set<std::string>{"globex"}));
  states.Invalidate();
  EXPECT_EQ(states.Paused(), (std::set<std::string>{"acme"}));
  ASSERT_TRUE(inbox_->SetConnectionOverride("acme", std::nullopt, "alice", absl::Now()).ok());
  ASSERT_TRUE(inbox_->SetConnectionOverride("globex", std::nullopt, "alice", absl::Now()).ok());
  states.Invalidate();
  EXPECT_EQ(states.Paused(), (std::set<std::string>{"globex"}));
}

TEST_F(ConnectionStatesTest, AnotherReplicasChangeShowsUpAfterMaxAge) {
  ConnectionStates states(inbox_.get(), [this] { return connections_; }, absl::ZeroDuration());
  EXPECT_EQ(states.Paused().count("acme"), 0u);
  ASSERT_TRUE(inbox_->SetConnectionOverride("acme", true, "bob", absl::Now()).ok());
  EXPECT_EQ(states.Paused().count("acme"), 1u);
  auto overrides = states.Overrides();
  ASSERT_TRUE(overrides.ok()) << overrides.status();
  EXPECT_EQ(overrides->at("acme").set_by, "bob");
}

}  // namespace
}  // namespace hiresync::ingress
