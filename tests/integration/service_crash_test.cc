// The writer or the notes service SIGKILLed at each step of a hire (failpoints armed by
// HIRESYNC_FAILPOINTS), then restarted without the failpoint while ingress keeps retrying:
// in the end one GoCo employee with one copy of the resume, and one note on the candidate.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/crypto/crypto.h"
#include "tests/integration/stack.h"
#include "tests/integration/backend.h"

namespace hiresync::testing {
namespace {

StackOptions CrashOptions(const TestInbox& inbox, const std::string& process,
                          const std::string& failpoint) {
  StackOptions options;
  options.inbox_url = inbox.url();
  options.lease_ms = 2000;
  options.env[process] = {{"HIRESYNC_FAILPOINTS", failpoint}};
  return options;
}

std::string Resume() {
  return ReadFile(std::string(HIRESYNC_SOURCE_DIR) + "/deploy/local/sample/resume.pdf");
}

// The end state every crash must converge to: the one hire is DONE, GoCo has exactly one
// employee for it holding exactly one copy of the resume, and the candidate has one note.
void ExpectOneOfEverything(Stack& stack) {
  EXPECT_EQ(stack.InboxCount(), 1);
  EXPECT_EQ(stack.InboxCount("DEAD"), 0);
  nlohmann::json employees = stack.Employees();
  ASSERT_EQ(employees.size(), 1u) << employees.dump(2);
  nlohmann::json employee = employees[0];
  EXPECT_EQ(employee["external_ids"]["greenhouse_candidate_id"], std::to_string(kFirstCandidateId))
      << employee.dump(2);
  ASSERT_EQ(employee["documents"].size(), 1u) << employee.dump(2);
  std::string resume = Resume();
  EXPECT_EQ(employee["documents"][0]["filename"], "resume.pdf");
  EXPECT_EQ(employee["documents"][0]["size_bytes"], resume.size());
  EXPECT_EQ(employee["documents"][0]["sha256"], crypto::Sha256Hex(resume));
  // The example hire is synced with warnings: exactly one note says so.
  nlohmann::json notes = stack.Notes(kFirstCandidateId);
  EXPECT_EQ(notes.size(), 1u) << notes.dump(2);
}

// The log lines (JSON objects) of a process whose "msg" is `msg`, oldest first.
std::vector<nlohmann::json> LogLines(const std::string& log, const std::string& msg) {
  std::vector<nlohmann::json> lines;
  size_t start = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    nlohmann::json line = nlohmann::json::parse(log.substr(start, end - start), nullptr, false);
    if (line.is_object() && line.value("msg", "") == msg) lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

// Ingress saw the dead process as UNAVAILABLE at `step` and scheduled a retry.
void ExpectIngressRetriedUnavailable(Stack& stack, const std::string& step) {
  bool retried = false;
  for (const nlohmann::json& line : LogLines(stack.ingress()->Log(), "step failed, will retry")) {
    if (line.value("step", "") == step &&
        line.value("error", "").find("UNAVAILABLE") != std::string::npos) {
      retried = true;
    }
  }
  EXPECT_TRUE(retried) << stack.ingress()->Log();
}

std::string ParamName(Backend backend, const char* failpoint) {
  std::string name = backend == Backend::kSqlite ? "sqlite_" : "postgres_";
  name += failpoint;
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name;
}

class MapperCrashTest : public ::testing::TestWithParam<Backend> {};

// The mapper dies before it answers; ingress retries; a restarted mapper maps the hire.
TEST_P(MapperCrashTest, OneEmployeeOneNoteAfterMapperDiesBeforeAnswering) {
  TestInbox inbox(GetParam());
  ASSERT_FALSE(::testing::Test::HasFailure());
  Stack stack(CrashOptions(inbox, "mapper", "mapper.before_answer"));
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  ASSERT_EQ(stack.SendWebhook(stack.HireFixture(), "evt-mapper-crash").status, 200);
  ASSERT_TRUE(WaitFor([&] { return !stack.mapper()->Running(); })) << stack.Logs();
  EXPECT_NE(stack.mapper()->Log().find("failpoint mapper.before_answer"), std::string::npos);
  stack.SetEnv("mapper", {});
  ASSERT_NO_FATAL_FAILURE(stack.StartMapper());
  ASSERT_TRUE(stack.WaitForDone(1)) << stack.Logs();
  ExpectOneOfEverything(stack);
  ExpectIngressRetriedUnavailable(stack, "map");
}

INSTANTIATE_TEST_SUITE_P(BeforeTheAnswer, MapperCrashTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& test) {
                           return BackendName(test.param);
                         });

class WriterCrashTest : public ::testing::TestWithParam<std::tuple<Backend, const char*>> {};

// The writer dies mid-hire; ingress sees UNAVAILABLE and keeps retrying; the writer comes
// back without the failpoint and finishes the hire from what GoCo and its ledger hold.
TEST_P(WriterCrashTest, OneEmployeeOneResumeOneNoteAfterWriterDiesAndRestarts) {
  auto [backend, failpoint] = GetParam();
  TestInbox inbox(backend);
  ASSERT_FALSE(::testing::Test::HasFailure());
  Stack stack(CrashOptions(inbox, "writer", failpoint));
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  ASSERT_EQ(stack.SendWebhook(stack.HireFixture(), "evt-writer-crash").status, 200);
  ASSERT_TRUE(WaitFor([&] { return !stack.writer()->Running(); }))
      << "failpoint " << failpoint << " never fired\n"
      << stack.Logs();
  EXPECT_NE(stack.writer()->Log().find(std::string("failpoint ") + failpoint), std::string::npos)
      << stack.writer()->Log();
  EXPECT_EQ(stack.InboxCount("DONE"), 0);

  stack.SetEnv("writer", {});
  ASSERT_NO_FATAL_FAILURE(stack.StartWriter());
  ASSERT_TRUE(stack.WaitForDone(1)) << stack.Logs();
  ExpectOneOfEverything(stack);
  ExpectIngressRetriedUnavailable(stack, "write");
  // Only the restarted writer answered, and it carried on from what the first one did:
  // the employee it found (in GoCo or its ledger), and the resume GoCo already had.
  std::vector<nlohmann::json> writes = LogLines(stack.writer()->Log(), "write");
  ASSERT_EQ(writes.size(), 1u) << stack.writer()->Log();
  EXPECT_EQ(writes[0]["outcome"], "created");
  EXPECT_EQ(writes[0]["resumed"], true);
  EXPECT_EQ(writes[0]["documents_uploaded"],
            std::string(failpoint) == "writer.after_upload" ? 0 : 1);
}

INSTANTIATE_TEST_SUITE_P(
    AtEachStep, WriterCrashTest,
    ::testing::Combine(::testing::Values(Backend::kSqlite, Backend::kPostgres),
                       ::testing::Values("writer.after_create", "writer.after_ledger_write",
                                         "writer.after_upload")),
    [](const auto& test) { return ParamName(std::get<0>(test.param), std::get<1>(test.param)); });

class NotesCrashTest : public ::testing::TestWithParam<std::tuple<Backend, const char*>> {};

// The notes service dies while writing the outcome's note; ingress retries the note; the
// restarted service either finds the note Greenhouse already has or writes it once.
TEST_P(NotesCrashTest, OneNoteAfterNotesDiesAndRestarts) {
  auto [backend, failpoint] = GetParam();
  TestInbox inbox(backend);
  ASSERT_FALSE(::testing::Test::HasFailure());
  Stack stack(CrashOptions(inbox, "notes", failpoint));
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  ASSERT_EQ(stack.SendWebhook(stack.HireFixture(), "evt-notes-crash").status, 200);
  ASSERT_TRUE(WaitFor([&] { return !stack.notes()->Running(); }))
      << "failpoint " << failpoint << " never fired\n"
      << stack.Logs();
  EXPECT_NE(stack.notes()->Log().find(std::string("failpoint ") + failpoint), std::string::npos)
      << stack.notes()->Log();
  EXPECT_EQ(stack.InboxCount("DONE"), 0);
  // The kill came after the POST (a note exists) or before it (none yet).
  bool posted_before_kill = std::string(failpoint) == "notes.after_post";
  EXPECT_EQ(stack.Notes(kFirstCandidateId).size(), posted_before_kill ? 1u : 0u);

  stack.SetEnv("notes", {});
  ASSERT_NO_FATAL_FAILURE(stack.StartNotes());
  ASSERT_TRUE(stack.WaitForDone(1)) << stack.Logs();
  ExpectOneOfEverything(stack);
  ExpectIngressRetriedUnavailable(stack, "note");
  // The restarted service did not write blindly: it looked for the note of the unknown
  // outcome first, and found it when the POST had gone through.
  EXPECT_EQ(stack.notes()->Log().find("note found after an unknown outcome") != std::string::npos,
            posted_before_kill)
      << stack.notes()->Log();
}

INSTANTIATE_TEST_SUITE_P(
    AtEachStep, NotesCrashTest,
    ::testing::Combine(::testing::Values(Backend::kSqlite, Backend::kPostgres),
                       ::testing::Values("notes.after_ledger_posting", "notes.after_post")),
    [](const auto& test) { return ParamName(std::get<0>(test.param), std::get<1>(test.param)); });

}  // namespace
}  // namespace hiresync::testing
