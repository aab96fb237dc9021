// A process SIGKILLed at each step of a hire's life, then restarted: in the end one GoCo
// employee and at most one note per outcome. Failpoints (HIRESYNC_FAILPOINTS) make the
// moment of each kill exact.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/integration/stack.h"
#include "tests/integration/backend.h"

namespace hiresync::testing {
namespace {

std::map<std::string, std::string> Failpoint(const std::string& name) {
  return {{"HIRESYNC_FAILPOINTS", name}};
}

class IngressCrashTest
    : public ::testing::TestWithParam<std::tuple<Backend, const char*>> {};

// Ingress dies at the failpoint while handling the hire, is restarted without it, and
// Greenhouse re-delivers the webhook (it retries anything but a 200).
TEST_P(IngressCrashTest, OneEmployeeAfterIngressDiesAndRestarts) {
  auto [backend, failpoint] = GetParam();
  TestInbox inbox(backend);
  ASSERT_FALSE(::testing::Test::HasFailure());
  StackOptions options;
  options.inbox_url = inbox.url();
  // A shared PostgreSQL inbox hands a dead replica's claims over when their lease ends.
  options.lease_ms = 2000;
  options.env["ingress"] = Failpoint(failpoint);
  Stack stack(options);
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  std::string hire = stack.HireFixture();
  stack.SendWebhook(hire, "evt-crash");  // answered, or cut off by the kill
  ASSERT_TRUE(WaitFor([&] { return !stack.ingress()->Running(); }))
      << "failpoint " << failpoint << " never fired\n" << stack.Logs();
  EXPECT_NE(stack.ingress()->Log().find(std::string("failpoint ") + failpoint), std::string::npos);

  stack.SetEnv("ingress", {});
  ASSERT_NO_FATAL_FAILURE(stack.StartIngress());
  auto again = stack.SendWebhook(hire, "evt-crash");
  EXPECT_EQ(again.status, 200) << again.body;
  ASSERT_TRUE(stack.WaitForDone(1)) << stack.Logs();
  auto employees = stack.Employees();
  ASSERT_EQ(employees.size(), 1u) << employees.dump(2);
  EXPECT_EQ(employees[0]["documents"].size(), 1u) << employees.dump(2);
  EXPECT_EQ(stack.InboxCount(), 1);
  // The example hire is synced with warnings: exactly one note says so.
  EXPECT_EQ(stack.Notes(kFirstCandidateId).size(), 1u) << stack.Notes(kFirstCandidateId).dump(2);
}

INSTANTIATE_TEST_SUITE_P(
    AtEachStep, IngressCrashTest,
    ::testing::Combine(::testing::Values(Backend::kSqlite, Backend::kPostgres),
                       ::testing::Values("ingress.after_inbox_commit", "ingress.after_map",
                                         "ingress.after_write", "ingress.after_note")),
    [](const auto& test) {
      std::string name = std::get<0>(test.param) == Backend::kSqlite ? "sqlite_" : "postgres_";
      name += std::get<1>(test.param);
      for (char& c : name) {
        if (c == '.') c = '_';
      }
      return name;
    });

class GoCoCrashTest : public ::testing::TestWithParam<Backend> {};

TEST_P(GoCoCrashTest, AnswerLostAfterGoCoCommittedGivesOneEmployee) {
  TestInbox inbox(GetParam());
  ASSERT_FALSE(::testing::Test::HasFailure());
  StackOptions options;
  options.inbox_url = inbox.url();
  Stack stack(options);
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  stack.GoCoTest("POST", "/_sandbox/faults?company=demo",
                 {{"method", "POST"}, {"path", "/employees"}, {"drop_after_commit", true},
                  {"count", 1}});
  ASSERT_EQ(stack.SendWebhook(stack.HireFixture()).status, 200);
  ASSERT_TRUE(stack.WaitForDone(1)) << stack.Logs();
  auto employees = stack.Employees();
  ASSERT_EQ(employees.size(), 1u) << employees.dump(2);
  EXPECT_EQ(employees[0]["documents"].size(), 1u);
  EXPECT_EQ(stack.Notes(kFirstCandidateId).size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(BetweenGoCoCommitAndAnswer, GoCoCrashTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& test) {
                           return BackendName(test.param);
                         });

}  // namespace
}  // namespace hiresync::testing
