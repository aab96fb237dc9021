// hiresyncctl against the real stack: the README's example session (a hire GoCo already
// has a name for, read why, replay it with the override), a hire that died while GoCo was
// down and is retried once GoCo is back, pause and resume, the purge of payloads, and the
// admin token.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/integration/stack.h"

namespace hiresync::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "test-admin-token-0123456789abcdef";

StackOptions WithToken(StackOptions options = {}) {
  options.admin_token = kToken;
  return options;
}

// The events hiresyncctl lists as JSON (`--json events ...`).
nlohmann::json EventsJson(Stack& stack, std::vector<std::string> filter) {
  std::vector<std::string> args = {"--json", "events"};
  args.insert(args.end(), filter.begin(), filter.end());
  auto result = stack.Ctl(args);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  auto json = nlohmann::json::parse(result.output, nullptr, false);
  return json.is_discarded() ? nlohmann::json::array() : json["events"];
}

// An int64 from protobuf's JSON (written as a string).
std::string Id(const nlohmann::json& event) {
  return event["id"].is_string() ? event["id"].get<std::string>()
                                 : std::to_string(event["id"].get<int64_t>());
}

// The event as `hiresyncctl --json show ID` gives it.
nlohmann::json ShowJson(Stack& stack, const std::string& id) {
  auto result = stack.Ctl({"--json", "show", id});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  auto json = nlohmann::json::parse(result.output, nullptr, false);
  return json.is_discarded() ? nlohmann::json::object() : json;
}

// Waits until event `id` is DONE with `outcome`.
bool WaitForOutcome(Stack& stack, const std::string& id, const std::string& outcome) {
  return WaitFor(
      [&] {
        auto event = ShowJson(stack, id)["event"];
        return event["state"] == "DONE" && event["outcome"] == outcome;
      },
      absl::Seconds(30));
}

// The README's example session: find a failed hire, read why, fix the cause in GoCo's
// sandbox, replay it, see the employee.
TEST(AdminTest, ExampleSessionRejectedHireFixedInGoCoAndReplayed) {
  Stack stack(WithToken());
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  // GoCo refuses new employees until the cause is fixed.
  stack.GoCoTest("POST", "/_sandbox/faults",
                 {{"method", "POST"}, {"path", "/employees"}, {"status", 422}, {"count", 100}});
  ASSERT_EQ(stack.SendWebhook(stack.HireFixture(), "evt-rejected").status, 200);
  ASSERT_TRUE(stack.WaitForDone(1)) << stack.Logs();
  EXPECT_EQ(stack.Employees().size(), 0u);

  auto listed = stack.Ctl({"events", "--state", "DONE"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_THAT(listed.output, HasSubstr("rejected"));
  std::string id = Id(EventsJson(stack, {"--state", "DONE"})[0]);
  auto shown = stack.Ctl({"show", id});
  EXPECT_THAT(shown.output, AllOf(HasSubstr("DONE (rejected)"), HasSubstr("REJECTED"),
                                  HasSubstr("422"), HasSubstr("[hiresync → GoCo]")));

  stack.GoCoTest("DELETE", "/_sandbox/faults");
  auto replay = stack.Ctl({"replay", id, "--reason", "GoCo fixed"});
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  ASSERT_TRUE(WaitForOutcome(stack, id, "created_with_warnings")) << stack.Logs();
  auto employees = stack.Employees();
  ASSERT_EQ(employees.size(), 1u);
  EXPECT_EQ(employees[0]["first_name"], "Johnny");
  EXPECT_THAT(stack.Ctl({"show", id}).output,
              AllOf(HasSubstr("CREATED, employee emp_"), HasSubstr("by hiresyncctl: GoCo fixed")));
}

TEST(AdminTest, ExampleSessionDuplicateNameReplayedWithTheOverride) {
  Stack stack(WithToken());
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  // GoCo already has a "Johnny Smith", who is a different person.
  stack.GoCoTest("POST", "/_sandbox/employees",
                 {{"first_name", "Johnny"}, {"last_name", "Smith"}, {"status", "active"}});
  ASSERT_EQ(stack.SendWebhook(stack.HireFixture(), "evt-dup").status, 200);
  ASSERT_TRUE(stack.WaitForDone(1)) << stack.Logs();

  // Find the failed hire.
  auto listed = stack.Ctl({"events", "--state", "DONE"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_THAT(listed.output, AllOf(HasSubstr("ID"), HasSubstr("CANDIDATE"), HasSubstr("demo"),
                                   HasSubstr(std::to_string(kFirstCandidateId)),
                                   HasSubstr("duplicate")));
  auto events = EventsJson(stack, {"--connection", "demo", "--candidate",
                                   std::to_string(kFirstCandidateId)});
  ASSERT_EQ(events.size(), 1u) << events.dump(2);
  std::string id = Id(events[0]);
  EXPECT_TRUE(EventsJson(stack, {"--state", "DEAD"}).empty());

  // Read why: GoCo's duplicate, with the employee's id, and the note the recruiter got.
  auto shown = stack.Ctl({"show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_THAT(shown.output,
              AllOf(HasSubstr("DONE (duplicate)"), HasSubstr("DUPLICATE, employee emp_"),
                    HasSubstr("GoCo already has an employee with this first and last name"),
                    HasSubstr("history:"), HasSubstr("received"), HasSubstr("write"),
                    HasSubstr("note "), HasSubstr("[hiresync → GoCo]")));
  ASSERT_EQ(stack.Employees().size(), 1u);
  ASSERT_EQ(stack.Notes(kFirstCandidateId).size(), 1u);

  // A replay without the override meets the same duplicate, and says so in a new note.
  auto again = stack.Ctl({"replay", id, "--reason", "checking"});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output, HasSubstr(absl::StrCat("event ", id, " replayed")));
  ASSERT_TRUE(WaitFor([&] { return stack.Notes(kFirstCandidateId).size() == 2; },
                      absl::Seconds(30)))
      << stack.Logs();
  ASSERT_TRUE(WaitForOutcome(stack, id, "duplicate")) << stack.Logs();
  EXPECT_EQ(stack.Employees().size(), 1u);

  // It is a different person: replay with the override; a second Johnny Smith is created.
  auto replay = stack.Ctl({"replay", id, "--allow-duplicate-name", "--reason",
                           "a different Johnny Smith"});
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  EXPECT_THAT(replay.output, HasSubstr("even if GoCo has an employee with this name"));
  ASSERT_TRUE(WaitFor([&] { return stack.Employees().size() == 2; }, absl::Seconds(30)))
      << stack.Logs();
  ASSERT_TRUE(WaitForOutcome(stack, id, "created_with_warnings")) << stack.Logs();
  auto shown_after = stack.Ctl({"show", id});
  EXPECT_THAT(shown_after.output,
              AllOf(HasSubstr("replays:    2 (syncs even if GoCo has an employee with this name)"),
                    HasSubstr("a different Johnny Smith"), HasSubstr("CREATED, employee emp_")));
  int synced = 0;
  for (const auto& e : stack.Employees()) {
    if (e.value("external_ids", nlohmann::json::object()).value("greenhouse_candidate_id", "") ==
        std::to_string(kFirstCandidateId)) {
      ++synced;
    }
  }
  EXPECT_EQ(synced, 1);
  // The replay's note is a new one (its own ledger key), not the first run's.
  EXPECT_EQ(stack.Notes(kFirstCandidateId).size(), 3u);
  EXPECT_THAT(stack.ingress()->Log(), AllOf(HasSubstr("admin: event replayed"), Not(HasSubstr(kToken))));
}

TEST(AdminTest, DeadHiresAreRetriedOnceGoCoIsBack) {
  StackOptions options = WithToken();
  options.max_attempts = 3;
  Stack stack(options);
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  stack.GoCoTest("POST", "/_sandbox/faults",
                 {{"method", "POST"}, {"path", "/employees"}, {"status", 503}, {"count", 1000}});
  ASSERT_EQ(stack.SendWebhook(stack.HireFixture()).status, 200);
  ASSERT_TRUE(WaitFor([&] { return stack.InboxCount("DEAD") == 1; }, absl::Seconds(30)))
      << stack.Logs();

  auto dead = stack.Ctl({"events", "--state", "dead"});
  ASSERT_EQ(dead.exit_code, 0) << dead.output;
  EXPECT_THAT(dead.output, AllOf(HasSubstr("DEAD"), HasSubstr("GoCo")));
  std::string id = Id(EventsJson(stack, {"--state", "DEAD"})[0]);
  auto shown = stack.Ctl({"show", id});
  EXPECT_THAT(shown.output, AllOf(HasSubstr("DEAD (dead)"), HasSubstr("gave up after 3 attempts"),
                                  HasSubstr("retry")));

  // GoCo is back.
  stack.GoCoTest("DELETE", "/_sandbox/faults");
  auto retried = stack.Ctl({"retry-dead", "demo"});
  ASSERT_EQ(retried.exit_code, 0) << retried.output;
  EXPECT_THAT(retried.output, HasSubstr("1 DEAD event(s) of demo replayed"));
  ASSERT_TRUE(stack.WaitForDone(1)) << stack.Logs();
  auto employees = stack.Employees();
  ASSERT_EQ(employees.size(), 1u);
  EXPECT_EQ(employees[0]["first_name"], "Johnny");
  EXPECT_THAT(stack.Ctl({"retry-dead", "demo"}).output, HasSubstr("0 DEAD event(s)"));
  auto unknown = stack.Ctl({"retry-dead", "nobody"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.output, AllOf(HasSubstr("NOT_FOUND"), HasSubstr("no connection 'nobody'")));
}

TEST(AdminTest, PausedConnectionKeepsHiresUntilResumed) {
  Stack stack(WithToken());
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  auto paused = stack.Ctl({"pause", "demo"});
  ASSERT_EQ(paused.exit_code, 0) << paused.output;
  EXPECT_THAT(paused.output, HasSubstr("connection demo: paused"));
  auto listed = stack.Ctl({"connections"});
  EXPECT_THAT(listed.output, AllOf(HasSubstr("CONNECTION"), HasSubstr("ACTIVE"),
                                   HasSubstr("PAUSED (by "), HasSubstr("yes")));

  ASSERT_EQ(stack.SendWebhook(stack.HireFixture()).status, 200);
  // Stored, and left waiting while paused.
  EXPECT_FALSE(WaitFor([&] { return stack.InboxCount("RECEIVED") != 1; }, absl::Seconds(2)));
  EXPECT_EQ(stack.Employees().size(), 0u);

  auto resumed = stack.Ctl({"resume", "demo"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("connection demo: active"));
  ASSERT_TRUE(stack.WaitForDone(1)) << stack.Logs();
  EXPECT_EQ(stack.Employees().size(), 1u);

  auto cleared = stack.Ctl({"clear-override", "demo"});
  ASSERT_EQ(cleared.exit_code, 0) << cleared.output;
  EXPECT_THAT(cleared.output, HasSubstr("override none"));
  auto unknown = stack.Ctl({"pause", "nobody"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.output, HasSubstr("no connection 'nobody'"));
}

TEST(AdminTest, PausedThenDisabledConnectionStillShowsItsHiresWaiting) {
  Stack stack(WithToken());
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  ASSERT_EQ(stack.Ctl({"pause", "demo"}).exit_code, 0);
  ASSERT_EQ(stack.SendWebhook(stack.HireFixture()).status, 200);
  nlohmann::json config = stack.Config();
  config["connections"][0]["state"] = "DISABLED";
  stack.ReloadConfig(config);
  // Once the reload is seen, the connection's webhooks are refused; its stored hire waits.
  ASSERT_TRUE(WaitFor([&] { return stack.SendWebhook(stack.HireFixture()).status == 404; },
                      absl::Seconds(10)));
  auto listed = stack.Ctl({"connections"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_THAT(listed.output, AllOf(HasSubstr("DISABLED"), HasSubstr("PAUSED (by "),
                                   HasSubstr("yes")));
  EXPECT_EQ(stack.InboxCount("RECEIVED"), 1);
  EXPECT_EQ(stack.Employees().size(), 0u);
}

TEST(AdminTest, PurgeRemovesPayloadsButKeepsTheOutcome) {
  Stack stack(WithToken());
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  ASSERT_EQ(stack.SendWebhook(stack.HireFixture()).status, 200);
  ASSERT_TRUE(stack.WaitForDone(1)) << stack.Logs();
  std::string id = Id(EventsJson(stack, {})[0]);
  EXPECT_EQ(ShowJson(stack, id)["candidate_name"], "Johnny Smith");

  // Received seconds ago: within the default 30 days.
  auto kept = stack.Ctl({"purge"});
  ASSERT_EQ(kept.exit_code, 0) << kept.output;
  EXPECT_THAT(kept.output, HasSubstr("0 event(s) purged"));
  auto purged = stack.Ctl({"purge", "--older-than-days", "0"});
  ASSERT_EQ(purged.exit_code, 0) << purged.output;
  EXPECT_THAT(purged.output, HasSubstr("1 event(s) purged"));

  auto shown = ShowJson(stack, id);
  EXPECT_EQ(shown["candidate_name"], "");
  EXPECT_EQ(shown["event"]["state"], "DONE");
  EXPECT_EQ(shown["event"]["outcome"], "created_with_warnings");
  EXPECT_FALSE(shown["event"]["payload_purged_at"].is_null());
  EXPECT_EQ(shown["history"].back()["step"], "purge");
  auto text = stack.Ctl({"show", id});
  EXPECT_THAT(text.output, AllOf(HasSubstr("purged:"), Not(HasSubstr("Johnny"))));
  auto replay = stack.Ctl({"replay", id});
  EXPECT_EQ(replay.exit_code, 1);
  EXPECT_THAT(replay.output, AllOf(HasSubstr("FAILED_PRECONDITION"), HasSubstr("purged")));
}

TEST(AdminTest, CallsWithoutTheRightTokenAreRefused) {
  Stack stack(WithToken());
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  auto none = stack.Ctl({"events"}, /*with_token=*/false);
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.output, AllOf(HasSubstr("UNAUTHENTICATED"), HasSubstr("no admin token"),
                                 HasSubstr("--token_file"), HasSubstr("HIRESYNC_ADMIN_TOKEN")));
  auto wrong = stack.Ctl({"events"}, false, {{"HIRESYNC_ADMIN_TOKEN", "not-the-token"}});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.output, AllOf(HasSubstr("UNAUTHENTICATED"), HasSubstr("token is wrong")));
  auto from_env = stack.Ctl({"events"}, false, {{"HIRESYNC_ADMIN_TOKEN", kToken}});
  EXPECT_EQ(from_env.exit_code, 0) << from_env.output;
  EXPECT_THAT(from_env.output, HasSubstr("no events"));
  auto usage = stack.Ctl({"replay"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.output, HasSubstr("'replay' needs one ID"));
  auto bad_state = stack.Ctl({"events", "--state", "LOST"});
  EXPECT_EQ(bad_state.exit_code, 1);
  EXPECT_THAT(bad_state.output, AllOf(HasSubstr("INVALID_ARGUMENT"), HasSubstr("unknown state")));
  EXPECT_THAT(stack.ingress()->Log(),
              AllOf(HasSubstr("admin call refused"), Not(HasSubstr(kToken)),
                    Not(HasSubstr("not-the-token"))));
}

TEST(AdminTest, WithoutATokenFileTheAdminServiceIsOff) {
  Stack stack;
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  auto off = stack.Ctl({"events"}, false, {{"HIRESYNC_ADMIN_TOKEN", "anything"}});
  EXPECT_EQ(off.exit_code, 1);
  EXPECT_THAT(off.output, AllOf(HasSubstr("FAILED_PRECONDITION"),
                                HasSubstr("admin service is off"),
                                HasSubstr("--admin_token_file")));
}

}  // namespace
}  // namespace hiresync::testing
