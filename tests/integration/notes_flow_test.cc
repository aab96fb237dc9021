// The notes a hire's outcome calls for, end to end with the real binaries: each written
// once, with its text, on the hire's candidate in greenhouse-sandbox; and still once when
// Harvest rate-limits, expires the token, loses an answer, or hiresync-notes dies mid-way.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/store/inbox.h"
#include "hiresync/v1/notes.pb.h"
#include "tests/integration/stack.h"

namespace hiresync::testing {
namespace {

int64_t CandidateId(int n) { return kFirstCandidateId + n; }

nlohmann::json NamelessHire(Stack& stack, int n) {
  auto hire = stack.CleanHire(n);
  hire["payload"]["application"]["candidate"]["last_name"] = "";
  return hire;
}

void Send(Stack& stack, const nlohmann::json& hire) {
  auto answer = stack.SendWebhook(hire.dump());
  ASSERT_EQ(answer.status, 200) << answer.body;
  ASSERT_NE(answer.body.find("accepted"), std::string::npos) << answer.body;
}

// Every note greenhouse-sandbox holds, on any candidate.
nlohmann::json AllNotes(Stack& stack) { return stack.GreenhouseTest("GET", "/_sandbox/notes"); }

// The body of the one note on candidate `n`; a failure unless there is exactly one, written
// by the configured author, starting with hiresync's prefix.
std::string OnlyNote(Stack& stack, int n) {
  nlohmann::json notes = stack.Notes(CandidateId(n));
  EXPECT_EQ(notes.size(), 1u) << "candidate " << CandidateId(n) << ": " << notes.dump(2);
  if (notes.size() != 1) return "";
  const auto& note = notes[0];
  EXPECT_EQ(note["candidate_id"], CandidateId(n));
  EXPECT_EQ(note["user_id"], kNoteAuthorId);
  EXPECT_EQ(note["visibility"], "admin_only");
  std::string body = note["body"];
  EXPECT_TRUE(absl::StartsWith(body, "[hiresync → GoCo] ")) << body;
  EXPECT_TRUE(absl::StrContains(body, "hiresync event demo/")) << body;
  return body;
}

int64_t GreenhouseRequests(Stack& stack, const std::string& method, const std::string& path) {
  return stack
      .GreenhouseTest("GET", absl::StrCat("/_sandbox/requests?method=", method, "&path=", path))
      .value("count", int64_t{-1});
}

int64_t GoCoRequests(Stack& stack, const std::string& method, const std::string& path) {
  return stack.GoCoTest("GET", absl::StrCat("/_sandbox/requests?method=", method, "&path=", path))
      .value("count", int64_t{-1});
}

// Occurrences of `text` in the log of `process`.
int Occurrences(Process* process, const std::string& text) {
  std::string log = process->Log();
  int n = 0;
  for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
  return n;
}

using ::testing::HasSubstr;

class NotesFlowTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(stack_.Start()); }
  Stack stack_;
};

TEST_F(NotesFlowTest, MissingNamesAreNotSyncedAndTheNoteSaysWhatToFillIn) {
  auto no_first = stack_.CleanHire(1);
  no_first["payload"]["application"]["candidate"]["first_name"] = "";
  auto no_last = stack_.CleanHire(2);
  no_last["payload"]["application"]["candidate"]["last_name"] = "   ";
  ASSERT_NO_FATAL_FAILURE(Send(stack_, no_first));
  ASSERT_NO_FATAL_FAILURE(Send(stack_, no_last));
  ASSERT_TRUE(stack_.WaitForDone(2)) << stack_.Logs();

  EXPECT_EQ(stack_.Employees().size(), 0u);
  std::string first = OnlyNote(stack_, 1);
  EXPECT_THAT(first, HasSubstr("Not synced to GoCo: the candidate's first name is missing."));
  EXPECT_THAT(first, HasSubstr("Fill in the name on the candidate in Greenhouse"));
  EXPECT_THAT(first, HasSubstr("send the hire again"));
  std::string last = OnlyNote(stack_, 2);
  EXPECT_THAT(last, HasSubstr("Not synced to GoCo: the candidate's last name is missing."));
  EXPECT_EQ(AllNotes(stack_).size(), 2u);
}

TEST_F(NotesFlowTest, ExistingGoCoEmployeeIsNotDuplicatedAndTheNoteNamesIt) {
  auto existing =
      stack_.GoCoTest("POST", "/_sandbox/employees?company=demo",
                      {{"first_name", "Given3"}, {"last_name", "Family3"}, {"status", "active"}});
  std::string existing_id = existing["id"];
  ASSERT_NO_FATAL_FAILURE(Send(stack_, stack_.CleanHire(3)));
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();

  EXPECT_EQ(stack_.Employees().size(), 1u);
  std::string note = OnlyNote(stack_, 3);
  EXPECT_THAT(note,
              HasSubstr(absl::StrCat("Not synced: a GoCo employee with this first and last name "
                                     "already exists (GoCo id ",
                                     existing_id, ").")));
  EXPECT_THAT(note, HasSubstr("If they are a different person"));
  EXPECT_EQ(AllNotes(stack_).size(), 1u);
}

TEST_F(NotesFlowTest, ValuesGoCoDoesNotHaveAreLeftOutAndTheNoteSaysWhereToAddThem) {
  auto hire = stack_.CleanHire(4);
  auto& application = hire["payload"]["application"];
  application["jobs"][0]["departments"][0]["name"] = "Marketing";
  application["jobs"][0]["offices"][0]["name"] = "Berlin";
  application["offer"]["custom_fields"]["job_title"]["value"] = "Astronaut";
  application["offer"]["custom_fields"]["employment_type"]["value"] = "Contractor";
  ASSERT_NO_FATAL_FAILURE(Send(stack_, hire));
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();

  auto employees = stack_.Employees();
  ASSERT_EQ(employees.size(), 1u);
  const auto& employee = employees[0];
  for (const char* field : {"department_id", "location_id", "job_title_id", "employment_type_id"}) {
    EXPECT_TRUE(!employee.contains(field) || employee[field].is_null() || employee[field] == "")
        << field << ": " << employee.dump(2);
  }
  std::string note = OnlyNote(stack_, 4);
  EXPECT_THAT(note, HasSubstr(absl::StrCat("Synced to GoCo as employee ",
                                           employee["id"].get<std::string>(), ", but without:")));
  EXPECT_THAT(note, HasSubstr("Department 'Marketing' does not exist in GoCo"));
  EXPECT_THAT(note, HasSubstr("Company Settings > Departments"));
  EXPECT_THAT(note, HasSubstr("Location 'Berlin' does not exist in GoCo"));
  EXPECT_THAT(note, HasSubstr("Company Settings > Work Locations"));
  EXPECT_THAT(note, HasSubstr("Job title 'Astronaut' does not exist in GoCo"));
  EXPECT_THAT(note, HasSubstr("Company Settings > Job Titles"));
  EXPECT_THAT(note, HasSubstr("Employment type 'Contractor' does not exist in GoCo"));
  EXPECT_THAT(note, HasSubstr("Company Settings > Employment Types"));
}

TEST_F(NotesFlowTest, OfferWithoutTheCustomFieldsSaysHowToAddThem) {
  auto hire = stack_.CleanHire(5);
  auto& offer_fields = hire["payload"]["application"]["offer"]["custom_fields"];
  offer_fields.erase("job_title");
  offer_fields.erase("employment_type");
  ASSERT_NO_FATAL_FAILURE(Send(stack_, hire));
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();

  ASSERT_EQ(stack_.Employees().size(), 1u);
  std::string note = OnlyNote(stack_, 5);
  EXPECT_THAT(note, HasSubstr(", but without:"));
  EXPECT_THAT(note, HasSubstr("The offer has no 'Job Title' custom field"));
  EXPECT_THAT(note, HasSubstr("The offer has no 'Employment Type' custom field"));
  EXPECT_THAT(note, HasSubstr("Configure > Custom Options > Offer Fields"));
}

TEST_F(NotesFlowTest, ExpiredDocumentLinkIsLeftOutAndNamed) {
  auto hire = stack_.CleanHire(6);
  stack_.UploadAttachment("offer-letter.pdf", "%PDF-1.4 the offer letter");
  auto expired = stack_.GreenhouseTest("POST", "/_sandbox/attachments/offer-letter.pdf/url",
                                       {{"ttl_seconds", 0}});
  hire["payload"]["application"]["candidate"]["attachments"].push_back(
      {{"filename", "offer-letter.pdf"}, {"url", expired["url"]}, {"type", "offer_letter"}});
  ASSERT_NO_FATAL_FAILURE(Send(stack_, hire));
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();

  auto employees = stack_.Employees();
  ASSERT_EQ(employees.size(), 1u);
  ASSERT_EQ(employees[0]["documents"].size(), 1u) << employees.dump(2);
  EXPECT_EQ(employees[0]["documents"][0]["filename"], "resume.pdf");
  std::string note = OnlyNote(stack_, 6);
  EXPECT_THAT(note, HasSubstr(", but without:"));
  EXPECT_THAT(note,
              HasSubstr("The document 'offer-letter.pdf' was not added to the GoCo employee"));
  EXPECT_THAT(note, HasSubstr("expired"));
  EXPECT_THAT(note, HasSubstr("download the document \"offer-letter.pdf\""));
}

TEST_F(NotesFlowTest, GoCoRejectionIsQuotedVerbatim) {
  auto hire = stack_.CleanHire(10);
  hire["payload"]["application"]["candidate"]["email_addresses"][0]["value"] = "given-at-example";
  ASSERT_NO_FATAL_FAILURE(Send(stack_, hire));
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();

  EXPECT_EQ(stack_.Employees().size(), 0u);
  std::string note = OnlyNote(stack_, 10);
  EXPECT_THAT(note, HasSubstr("Not synced: GoCo refused the employee."));
  // goco-sandbox's own 422 message, as GoCo wrote it.
  EXPECT_THAT(
      note, HasSubstr("GoCo refused creating the employee (422): the request is invalid "
                      "(personal_email: must be an email address like name@example.com); fix these "
                      "fields and send it again"));
  EXPECT_THAT(note, HasSubstr("- personal_email: must be an email address like name@example.com"));
}

TEST_F(NotesFlowTest, RevokedGoCoKeyGivesOneNoteAcrossRetriesAndSyncsOnceRestored) {
  stack_.GoCoTest("PUT", "/_sandbox/api-keys?company=demo", {{"keys", {"someone-elses-key"}}});
  ASSERT_NO_FATAL_FAILURE(Send(stack_, stack_.CleanHire(11)));
  // Several write attempts, each refused with 401, each telling ingress the key is bad.
  ASSERT_TRUE(
      WaitFor([&] { return GoCoRequests(stack_, "GET", "/employees") >= 4; }, absl::Seconds(20)))
      << stack_.Logs();
  ASSERT_TRUE(WaitFor([&] { return stack_.Notes(CandidateId(11)).size() >= 1; })) << stack_.Logs();
  EXPECT_EQ(stack_.Employees().size(), 0u);
  std::string note = OnlyNote(stack_, 11);
  EXPECT_THAT(note, HasSubstr("Not synced to GoCo yet: GoCo refused hiresync's API key."));
  EXPECT_THAT(note, HasSubstr("401"));
  EXPECT_THAT(note, HasSubstr("synced as soon as the key works"));

  stack_.GoCoTest("PUT", "/_sandbox/api-keys?company=demo", {{"keys", {stack_.goco_api_key}}});
  ASSERT_TRUE(stack_.WaitForDone(1, absl::Seconds(20))) << stack_.Logs();
  EXPECT_EQ(stack_.Employees().size(), 1u);
  // A clean hire with success notes off: the key note stays the only one.
  OnlyNote(stack_, 11);
  EXPECT_EQ(AllNotes(stack_).size(), 1u);
}

TEST_F(NotesFlowTest, CleanSyncGetsNoNoteWhenSuccessNotesAreOff) {
  ASSERT_NO_FATAL_FAILURE(Send(stack_, stack_.CleanHire(14)));
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();
  EXPECT_EQ(stack_.Employees().size(), 1u);
  EXPECT_EQ(AllNotes(stack_).size(), 0u);
  EXPECT_EQ(GreenhouseRequests(stack_, "POST", "/v3/notes"), 0);
}

TEST(NotesFlowOptionsTest, CleanSyncGetsASuccessNoteWhenEnabled) {
  StackOptions options;
  options.demo_mapping = {{"success_notes", true}};
  Stack stack(options);
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  ASSERT_NO_FATAL_FAILURE(Send(stack, stack.CleanHire(13)));
  ASSERT_TRUE(stack.WaitForDone(1)) << stack.Logs();
  auto employees = stack.Employees();
  ASSERT_EQ(employees.size(), 1u);
  std::string note = OnlyNote(stack, 13);
  EXPECT_THAT(note, HasSubstr(absl::StrCat("[hiresync → GoCo] Synced to GoCo as employee ",
                                           employees[0]["id"].get<std::string>(), ".")));
  EXPECT_FALSE(absl::StrContains(note, "without")) << note;
  EXPECT_EQ(AllNotes(stack).size(), 1u);
}

TEST(NotesFlowOptionsTest, DocumentsTooLargeOrRefusedByGoCoAreLeftOutAndNamed) {
  StackOptions options;
  options.attachment_max_bytes = 1024 * 1024;
  Stack stack(options);
  ASSERT_NO_FATAL_FAILURE(stack.Start());

  // Too large to download.
  auto big = stack.CleanHire(7);
  std::string url = stack.UploadAttachment("portfolio.pdf", std::string(2 * 1024 * 1024, 'x'));
  big["payload"]["application"]["candidate"]["attachments"].push_back(
      {{"filename", "portfolio.pdf"}, {"url", url}, {"type", "other"}});
  ASSERT_NO_FATAL_FAILURE(Send(stack, big));
  ASSERT_TRUE(stack.WaitForDone(1)) << stack.Logs();
  std::string too_large = OnlyNote(stack, 7);
  EXPECT_THAT(too_large,
              HasSubstr("The document 'portfolio.pdf' was not added to the GoCo employee"));
  EXPECT_THAT(too_large, HasSubstr("larger than 1 MiB"));
  EXPECT_THAT(too_large, HasSubstr("download the document \"portfolio.pdf\""));

  // Refused by GoCo: 422, then 413.
  stack.GoCoTest("POST", "/_sandbox/faults?company=demo",
                 {{"method", "POST"}, {"path", "/employees/*/documents"}, {"status", 422}});
  ASSERT_NO_FATAL_FAILURE(Send(stack, stack.CleanHire(8)));
  ASSERT_TRUE(stack.WaitForDone(2)) << stack.Logs();
  std::string refused = OnlyNote(stack, 8);
  EXPECT_THAT(refused, HasSubstr("GoCo refused the document 'resume.pdf' (422"));
  EXPECT_THAT(refused,
              HasSubstr("upload the document \"resume.pdf\" to the employee's documents in GoCo"));

  stack.GoCoTest("POST", "/_sandbox/faults?company=demo",
                 {{"method", "POST"}, {"path", "/employees/*/documents"}, {"status", 413}});
  ASSERT_NO_FATAL_FAILURE(Send(stack, stack.CleanHire(9)));
  ASSERT_TRUE(stack.WaitForDone(3)) << stack.Logs();
  std::string oversized = OnlyNote(stack, 9);
  EXPECT_THAT(oversized, HasSubstr("GoCo refused the document 'resume.pdf' (413"));
  EXPECT_THAT(oversized, HasSubstr("as a smaller file"));

  auto employees = stack.Employees();
  ASSERT_EQ(employees.size(), 3u);
  for (const auto& employee : employees) {
    EXPECT_EQ(employee["documents"].size(), employee["first_name"] == "Given7" ? 1u : 0u)
        << employee.dump(2);
  }
  EXPECT_EQ(AllNotes(stack).size(), 3u);
}

TEST(NotesFlowOptionsTest, SpentRetryBudgetGivesAGaveUpNoteSayingWhatWasTriedSinceWhen) {
  StackOptions options;
  options.max_attempts = 3;
  Stack stack(options);
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  stack.GoCoTest("POST", "/_sandbox/faults?company=demo",
                 {{"method", "POST"}, {"path", "/employees"}, {"status", 503}, {"count", 50}});
  ASSERT_NO_FATAL_FAILURE(Send(stack, stack.CleanHire(12)));
  ASSERT_TRUE(WaitFor([&] { return stack.InboxCount("DEAD") == 1; }, absl::Seconds(20)))
      << stack.Logs();

  EXPECT_EQ(stack.Employees().size(), 0u);
  EXPECT_EQ(GoCoRequests(stack, "POST", "/employees"), 3);
  std::string note = OnlyNote(stack, 12);
  EXPECT_THAT(note, HasSubstr("Not synced to GoCo: hiresync gave up after retrying."));
  EXPECT_THAT(note,
              HasSubstr("What was tried: hiresync tried to create the employee in GoCo and gave up "
                        "after 3 attempts since 20"));
  EXPECT_THAT(note, HasSubstr("503"));
  EXPECT_THAT(note, HasSubstr("add the employee in GoCo by hand"));
  EXPECT_EQ(AllNotes(stack).size(), 1u);
}

TEST(NotesFlowOptionsTest, NoteThatCannotBeWrittenLeavesTheEventDeadWithItsTextKept) {
  TempDir inbox_dir;
  StackOptions options;
  options.max_attempts = 3;
  options.inbox_url = inbox_dir.File("inbox.db");  // read back below
  Stack stack(options);
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  stack.StopNotes(SIGTERM);  // Greenhouse's side is unreachable for this hire's note
  ASSERT_EQ(stack.SendWebhook(stack.HireFixture()).status, 200);
  ASSERT_TRUE(WaitFor([&] { return stack.InboxCount("DEAD") == 1; }, absl::Seconds(20)))
      << stack.Logs();
  EXPECT_EQ(stack.Employees().size(), 1u);  // the sync itself worked

  auto inbox = store::OpenInbox(options.inbox_url);
  ASSERT_TRUE(inbox.ok()) << inbox.status();
  auto dead = (*inbox)->Find({.connection_id = "demo", .state = store::EventState::kDead, .limit = 10});
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  hiresync::v1::PostNoteResponse kept;
  ASSERT_TRUE(kept.ParseFromString(dead->front().note_result));
  // The note the recruiter should have read, and why it was not written.
  EXPECT_THAT(kept.body(), HasSubstr("[hiresync → GoCo] Synced to GoCo as employee emp_"));
  EXPECT_THAT(kept.body(), HasSubstr("gave up"));
  EXPECT_THAT(dead->front().last_error, HasSubstr("notes"));
  EXPECT_EQ(stack.GreenhouseTest("GET", "/_sandbox/requests?method=POST&path=/v3/notes")["count"], 0);
}

TEST(NotesFlowOptionsTest, AConnectionsOwnRetryBudgetEndsTheEventDead) {
  Stack stack;  // ingress's own budget is its default (400 attempts, 72 h)
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  nlohmann::json config = stack.Config();
  config["connections"][0]["retry_budget"] = {{"max_attempts", 2}};
  stack.ReloadConfig(config);
  ASSERT_TRUE(WaitFor([&] {
    return stack.ingress()->Log().find("config reloaded") != std::string::npos &&
           stack.writer()->Log().find("config reloaded") != std::string::npos;
  })) << stack.Logs();
  stack.GoCoTest("POST", "/_sandbox/faults?company=demo",
                 {{"method", "POST"}, {"path", "/employees"}, {"status", 503}, {"count", 50}});
  ASSERT_EQ(stack.SendWebhook(stack.HireFixture()).status, 200);
  ASSERT_TRUE(WaitFor([&] { return stack.InboxCount("DEAD") == 1; }, absl::Seconds(20)))
      << stack.Logs();
  EXPECT_EQ(GoCoRequests(stack, "POST", "/employees"), 2);
  EXPECT_THAT(OnlyNote(stack, 0), HasSubstr("gave up after 2 attempts"));
}

TEST_F(NotesFlowTest, HarvestRateLimitOnceStillGivesOneNote) {
  stack_.GreenhouseTest("POST", "/_sandbox/faults",
                        {{"method", "POST"}, {"path", "/v3/notes"}, {"status", 429}});
  ASSERT_NO_FATAL_FAILURE(Send(stack_, NamelessHire(stack_, 15)));
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();
  EXPECT_THAT(OnlyNote(stack_, 15), HasSubstr("last name is missing"));
  EXPECT_EQ(GreenhouseRequests(stack_, "POST", "/v3/notes"), 2);
  EXPECT_EQ(AllNotes(stack_).size(), 1u);
}

TEST_F(NotesFlowTest, HarvestTokenExpiredBetweenHiresGivesEachNoteOnce) {
  ASSERT_NO_FATAL_FAILURE(Send(stack_, NamelessHire(stack_, 16)));
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();
  auto expired = stack_.GreenhouseTest("POST", "/_sandbox/faults", {{"expire_tokens", true}});
  EXPECT_GE(expired.value("expired_tokens", 0), 1) << expired.dump();
  ASSERT_NO_FATAL_FAILURE(Send(stack_, NamelessHire(stack_, 17)));
  ASSERT_TRUE(stack_.WaitForDone(2)) << stack_.Logs();

  EXPECT_THAT(OnlyNote(stack_, 16), HasSubstr("last name is missing"));
  EXPECT_THAT(OnlyNote(stack_, 17), HasSubstr("last name is missing"));
  EXPECT_EQ(AllNotes(stack_).size(), 2u);
  EXPECT_GE(GreenhouseRequests(stack_, "POST", "/token"), 2);
}

TEST_F(NotesFlowTest, HarvestAnswerLostAfterTheNoteWasStoredGivesExactlyOneNote) {
  stack_.GreenhouseTest("POST", "/_sandbox/faults",
                        {{"method", "POST"}, {"path", "/v3/notes"}, {"drop_after_commit", true}});
  ASSERT_NO_FATAL_FAILURE(Send(stack_, NamelessHire(stack_, 18)));
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();
  EXPECT_THAT(OnlyNote(stack_, 18), HasSubstr("last name is missing"));
  // Found by looking, not written twice.
  EXPECT_EQ(GreenhouseRequests(stack_, "POST", "/v3/notes"), 1);
  EXPECT_GE(GreenhouseRequests(stack_, "GET", "/v3/notes"), 1);
  EXPECT_EQ(AllNotes(stack_).size(), 1u);
}

TEST_F(NotesFlowTest, NotesServiceDownAtTheNoteStepGivesOneNoteOnceBack) {
  stack_.StopNotes(SIGKILL);
  ASSERT_NO_FATAL_FAILURE(Send(stack_, NamelessHire(stack_, 19)));
  // The event waits at the note step, retried while hiresync-notes is away.
  ASSERT_TRUE(WaitFor([&] {
    return stack_.InboxCount("WRITTEN") == 1 &&
           Occurrences(stack_.ingress(), "\"step\":\"note\"") >= 2;
  })) << stack_.Logs();
  EXPECT_EQ(AllNotes(stack_).size(), 0u);

  ASSERT_NO_FATAL_FAILURE(stack_.StartNotes());
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();
  EXPECT_THAT(OnlyNote(stack_, 19), HasSubstr("last name is missing"));
  EXPECT_EQ(AllNotes(stack_).size(), 1u);
}

TEST_F(NotesFlowTest, NotesServiceKilledWhileItsNoteIsBeingWrittenGivesOneNote) {
  stack_.GreenhouseTest("POST", "/_sandbox/faults",
                        {{"method", "POST"}, {"path", "/v3/notes"}, {"latency_ms", 1500}});
  ASSERT_NO_FATAL_FAILURE(Send(stack_, NamelessHire(stack_, 20)));
  // The POST has reached Greenhouse and is held there: kill hiresync-notes now.
  ASSERT_TRUE(WaitFor([&] { return GreenhouseRequests(stack_, "POST", "/v3/notes") == 1; }))
      << stack_.Logs();
  stack_.StopNotes(SIGKILL);
  // Greenhouse stores the note although nobody hears the answer.
  ASSERT_TRUE(WaitFor([&] { return stack_.Notes(CandidateId(20)).size() == 1; })) << stack_.Logs();

  ASSERT_NO_FATAL_FAILURE(stack_.StartNotes());
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();
  EXPECT_THAT(OnlyNote(stack_, 20), HasSubstr("last name is missing"));
  EXPECT_EQ(GreenhouseRequests(stack_, "POST", "/v3/notes"), 1);
  EXPECT_EQ(AllNotes(stack_).size(), 1u);
}

}  // namespace
}  // namespace hiresync::testing
