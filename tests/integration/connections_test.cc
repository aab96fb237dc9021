// Several connections in one stack, each with its own webhook secret and GoCo company;
// pausing and resuming a connection; a broken config on reload.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "tests/integration/stack.h"

namespace hiresync::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kGlobexSecret[] = "globex-webhook-secret";
constexpr char kGlobexKey[] = "globex-goco-key";

int Occurrences(Process* process, const std::string& text) {
  std::string log = process->Log();
  int n = 0;
  for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
  return n;
}

std::vector<std::string> FirstNames(const nlohmann::json& employees) {
  std::vector<std::string> names;
  for (const auto& e : employees) names.push_back(e["first_name"]);
  std::sort(names.begin(), names.end());
  return names;
}

// A stack with "demo" and a second connection "globex": its own webhook secret, its own
// GoCo company (with its own API key and catalog) on the same goco-sandbox.
class ConnectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(files_.File("globex-webhook-secret"), absl::StrCat(kGlobexSecret, "\n"));
    WriteFile(files_.File("globex-goco-key"), absl::StrCat(kGlobexKey, "\n"));
    nlohmann::json config = stack_.Config();
    nlohmann::json globex = config["connections"][0];
    globex["id"] = "globex";
    globex["webhook_secret"] = {{"file", files_.File("globex-webhook-secret")}};
    globex["goco"] = {
        {"base_url", absl::StrCat("http://127.0.0.1:", stack_.goco_port, "/v1/companies/globex")},
        {"api_key", {{"file", files_.File("globex-goco-key")}}}};
    config["connections"].push_back(globex);
    stack_.ReloadConfig(config);  // nothing runs yet: this only writes the file
    ASSERT_NO_FATAL_FAILURE(stack_.Start());
    stack_.GoCoTest("PUT", "/_sandbox/api-keys?company=globex", {{"keys", {kGlobexKey}}});
    stack_.GoCoTest("PUT", "/_sandbox/catalog?company=globex",
                    {{"departments", {"Technology"}},
                     {"locations", {"New York City"}},
                     {"job_titles", nlohmann::json::array()},
                     {"employment_types", nlohmann::json::array()}});
  }

  // Rewrites the config with demo's state, SIGHUPs the services and waits until ingress
  // has taken the new file.
  void SetDemoState(const std::string& state) {
    int before = Occurrences(stack_.ingress(), "config reloaded");
    nlohmann::json config = stack_.Config();
    config["connections"][0]["state"] = state;
    stack_.ReloadConfig(config);
    ASSERT_TRUE(WaitFor([&] { return Occurrences(stack_.ingress(), "config reloaded") > before; }))
        << stack_.Logs();
  }

  TempDir files_;
  Stack stack_;
};

TEST_F(ConnectionsTest, AWebhookSignedWithOneConnectionsSecretIsRefusedOnTheOthers) {
  std::string hire = stack_.NumberedHire(1).dump();
  auto demo_secret_on_globex = stack_.SendWebhook(hire, "", "globex", stack_.webhook_secret());
  EXPECT_EQ(demo_secret_on_globex.status, 401) << demo_secret_on_globex.body;
  auto globex_secret_on_demo = stack_.SendWebhook(hire, "", "demo", kGlobexSecret);
  EXPECT_EQ(globex_secret_on_demo.status, 401) << globex_secret_on_demo.body;
  EXPECT_EQ(stack_.InboxCount(), 0);

  auto own = stack_.SendWebhook(hire, "", "globex", kGlobexSecret);
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_THAT(own.body, HasSubstr("accepted"));
}

TEST_F(ConnectionsTest, EachHireLandsInItsOwnCompany) {
  ASSERT_EQ(stack_.SendWebhook(stack_.NumberedHire(2).dump()).status, 200);
  ASSERT_EQ(
      stack_.SendWebhook(stack_.NumberedHire(3).dump(), "", "globex", kGlobexSecret).status,
      200);
  ASSERT_TRUE(stack_.WaitForDone(2)) << stack_.Logs();

  auto demo = stack_.Employees("demo");
  auto globex = stack_.Employees("globex");
  EXPECT_EQ(FirstNames(demo), std::vector<std::string>{"Given2"}) << demo.dump(2);
  EXPECT_EQ(FirstNames(globex), std::vector<std::string>{"Given3"}) << globex.dump(2);
  ASSERT_EQ(globex.size(), 1u);
  EXPECT_EQ(globex[0]["external_ids"]["greenhouse_candidate_id"],
            std::to_string(kFirstCandidateId + 3));
  // Matched against globex's own catalog.
  EXPECT_THAT(globex[0].value("department_id", ""), HasSubstr("dep_"));
  EXPECT_EQ(globex[0]["documents"].size(), 1u);
}

TEST_F(ConnectionsTest, PausedConnectionKeepsItsHiresUntilResumed) {
  ASSERT_NO_FATAL_FAILURE(SetDemoState("PAUSED"));
  for (int n : {4, 5, 6}) {
    auto answer = stack_.SendWebhook(stack_.NumberedHire(n).dump());
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_THAT(answer.body, HasSubstr("accepted"));
  }
  EXPECT_EQ(stack_.InboxCount("RECEIVED"), 3);
  // A hire on the active connection, sent after them, is synced: the dispatcher is running
  // and has passed the paused ones by.
  ASSERT_EQ(
      stack_.SendWebhook(stack_.NumberedHire(7).dump(), "", "globex", kGlobexSecret).status,
      200);
  ASSERT_TRUE(WaitFor([&] { return stack_.InboxCount("DONE") == 1; })) << stack_.Logs();
  EXPECT_EQ(stack_.Employees("globex").size(), 1u);
  EXPECT_EQ(stack_.InboxCount("RECEIVED"), 3);
  EXPECT_EQ(stack_.Employees("demo").size(), 0u);

  ASSERT_NO_FATAL_FAILURE(SetDemoState("ACTIVE"));
  ASSERT_TRUE(stack_.WaitForDone(4)) << stack_.Logs();
  EXPECT_EQ(FirstNames(stack_.Employees("demo")),
            (std::vector<std::string>{"Given4", "Given5", "Given6"}));
}

TEST_F(ConnectionsTest, BrokenConfigOnReloadIsRefusedAndTheOldOneKept) {
  int before = Occurrences(stack_.ingress(), "config reload refused");
  WriteFile(stack_.ConfigPath(), "{\"connections\": [ {\"id\": ");
  for (Process* p : {stack_.ingress(), stack_.writer(), stack_.notes()}) p->Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] {
    return Occurrences(stack_.ingress(), "config reload refused") > before;
  })) << stack_.Logs();

  for (Process* p : {stack_.ingress(), stack_.writer(), stack_.notes()}) {
    EXPECT_TRUE(p->Running()) << p->log_path();
  }
  // Both connections still work, with their old secrets and companies.
  ASSERT_EQ(stack_.SendWebhook(stack_.NumberedHire(8).dump()).status, 200);
  ASSERT_EQ(
      stack_.SendWebhook(stack_.NumberedHire(9).dump(), "", "globex", kGlobexSecret).status,
      200);
  ASSERT_TRUE(stack_.WaitForDone(2)) << stack_.Logs();
  EXPECT_EQ(FirstNames(stack_.Employees("demo")), std::vector<std::string>{"Given8"});
  EXPECT_EQ(FirstNames(stack_.Employees("globex")), std::vector<std::string>{"Given9"});
}

}  // namespace
}  // namespace hiresync::testing
