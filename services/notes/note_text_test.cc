#include "common/notes/note_text.h"

#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/notes/note_poster.h"

namespace hiresync::notes {
namespace {

using hiresync::v1::PostNoteRequest;
using hiresync::v1::Problem;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

PostNoteRequest Request(PostNoteRequest::Kind kind) {
  PostNoteRequest request;
  request.set_connection_id("demo");
  request.set_candidate_id(35897443);
  request.set_event_id("demo/17");
  request.set_kind(kind);
  return request;
}

void AddProblem(PostNoteRequest& request, Problem::Severity severity, const std::string& code,
                const std::string& field, const std::string& value, const std::string& message) {
  Problem* problem = request.add_problems();
  problem->set_severity(severity);
  problem->set_code(code);
  problem->set_field(field);
  problem->set_value(value);
  problem->set_message(message);
}

TEST(NoteTextTest, EveryNoteStartsWithThePrefixAndEndsWithTheMarker) {
  for (auto kind : {PostNoteRequest::NOT_SYNCED, PostNoteRequest::SYNCED_WITH_WARNINGS,
                    PostNoteRequest::SYNCED, PostNoteRequest::GAVE_UP}) {
    std::string body = ComposeNote(Request(kind));
    EXPECT_THAT(body, StartsWith("[hiresync → GoCo] ")) << kind;
    EXPECT_THAT(body, EndsWith("\n\nhiresync event demo/17")) << kind;
  }
}

TEST(NoteTextTest, MissingNamesSayNotSyncedAndHowToResend) {
  PostNoteRequest request = Request(PostNoteRequest::NOT_SYNCED);
  AddProblem(request, Problem::ERROR, "missing_first_name", "first_name", "",
             "The candidate has no first name in Greenhouse.");
  std::string body = ComposeNote(request);
  EXPECT_THAT(body, StartsWith("[hiresync → GoCo] Not synced to GoCo: the candidate's first name "
                               "is missing."));
  EXPECT_THAT(body, HasSubstr("Fill in the name on the candidate in Greenhouse"));
  EXPECT_THAT(body, HasSubstr("un-hire the candidate and mark them hired again"));
  EXPECT_THAT(body, HasSubstr("ask your hiresync operator to replay this event"));
  EXPECT_THAT(body, HasSubstr("- The candidate has no first name in Greenhouse."));

  AddProblem(request, Problem::ERROR, "missing_last_name", "last_name", "", "No last name.");
  EXPECT_THAT(ComposeNote(request), HasSubstr("first and last name is missing"));
  request.mutable_problems()->erase(request.mutable_problems()->begin());
  EXPECT_THAT(ComposeNote(request), HasSubstr("the candidate's last name is missing"));
}

TEST(NoteTextTest, DuplicateNamesTheGoCoEmployeeAndTheOverride) {
  PostNoteRequest request = Request(PostNoteRequest::NOT_SYNCED);
  request.set_employee_id("emp_42");
  request.set_reason(
      "GoCo already has an employee with this first and last name (employee emp_42)");
  std::string body = ComposeNote(request);
  EXPECT_THAT(body, HasSubstr("a GoCo employee with this first and last name already exists "
                              "(GoCo id emp_42)"));
  EXPECT_THAT(body, HasSubstr("Not synced"));
  EXPECT_THAT(body, HasSubstr("If they are the same person, nothing is needed"));
  EXPECT_THAT(body, HasSubstr("replay this hire with 'sync even if the name exists'"));
  EXPECT_THAT(body, HasSubstr("add the employee in GoCo by hand"));
}

TEST(NoteTextTest, FieldsLeftOutNameTheValueAndWhereToAddIt) {
  PostNoteRequest request = Request(PostNoteRequest::SYNCED_WITH_WARNINGS);
  request.set_employee_id("emp_7");
  AddProblem(request, Problem::WARNING, "department_not_in_goco", "department", "Technology",
             "Department 'Technology' does not exist in GoCo.");
  AddProblem(request, Problem::WARNING, "location_not_in_goco", "location", "New York City",
             "Location 'New York City' does not exist in GoCo.");
  AddProblem(request, Problem::WARNING, "job_title_not_in_goco", "job_title", "Sr. Engineer",
             "Job title 'Sr. Engineer' does not exist in GoCo.");
  AddProblem(request, Problem::WARNING, "employment_type_not_in_goco", "employment_type",
             "Full-time", "Employment type 'Full-time' does not exist in GoCo.");
  std::string body = ComposeNote(request);
  EXPECT_THAT(body, StartsWith("[hiresync → GoCo] Synced to GoCo as employee emp_7, but without:\n"
                               "- Department 'Technology' does not exist in GoCo."));
  EXPECT_THAT(body, HasSubstr("add the department \"Technology\" under Company Settings > "
                              "Departments"));
  EXPECT_THAT(body, HasSubstr("add the work location \"New York City\" under Company Settings > "
                              "Work Locations"));
  EXPECT_THAT(body, HasSubstr("add the job title \"Sr. Engineer\" under Company Settings > Job "
                              "Titles. Job titles must match exactly"));
  EXPECT_THAT(body, HasSubstr("add the employment type \"Full-time\" under Company Settings > "
                              "Employment Types"));
}

TEST(NoteTextTest, OfferFieldsSayHowToAddThemInGreenhouseOnce) {
  PostNoteRequest request = Request(PostNoteRequest::SYNCED_WITH_WARNINGS);
  request.set_employee_id("emp_8");
  // The mapper's messages carry the fix themselves.
  AddProblem(request, Problem::WARNING, "offer_field_missing", "job_title", "",
             "The offer has no 'Job Title' custom field, so the hire is synced to GoCo without a "
             "job title. In Greenhouse, add the offer custom field under Configure > Custom "
             "Options > Offer Fields with the name exactly 'Job Title'.");
  AddProblem(request, Problem::WARNING, "offer_field_empty", "employment_type", "",
             "The offer's 'Employment Type' field is empty in Greenhouse. Fill it in on the "
             "offer in Greenhouse.");
  std::string body = ComposeNote(request);
  EXPECT_THAT(body, HasSubstr("- The offer has no 'Job Title' custom field"));
  EXPECT_THAT(body, HasSubstr("- The offer's 'Employment Type' field is empty"));
  size_t first = body.find("Configure > Custom Options > Offer Fields");
  ASSERT_NE(first, std::string::npos) << body;
  EXPECT_EQ(body.find("Configure > Custom Options > Offer Fields", first + 1), std::string::npos)
      << "the fix is said once: " << body;
}

TEST(NoteTextTest, DocumentsLeftOutSayToUploadThemByHand) {
  PostNoteRequest request = Request(PostNoteRequest::SYNCED_WITH_WARNINGS);
  request.set_employee_id("emp_9");
  AddProblem(request, Problem::WARNING, "document_not_downloaded", "documents", "resume.pdf",
             "The document 'resume.pdf' was not added to the GoCo employee: link expired.");
  AddProblem(request, Problem::WARNING, "document_not_uploaded", "documents", "offer.pdf",
             "GoCo refused the document 'offer.pdf' (413: too large).");
  std::string body = ComposeNote(request);
  EXPECT_THAT(body, HasSubstr("link expired."));
  EXPECT_THAT(body, HasSubstr("download the document \"resume.pdf\" from the candidate's profile "
                              "in Greenhouse and upload it to the employee's documents in GoCo"));
  EXPECT_THAT(body, HasSubstr("(413: too large)"));
  EXPECT_THAT(body, HasSubstr("upload the document \"offer.pdf\" to the employee's documents in "
                              "GoCo by hand"));
}

TEST(NoteTextTest, GoCoRejectionQuotesGoCoVerbatimWithTheField) {
  PostNoteRequest request = Request(PostNoteRequest::NOT_SYNCED);
  request.set_reason(
      "GoCo refused creating the employee (422): start_date must not be in the "
      "past [start_date: must be today or later]. Fix the data in Greenhouse and "
      "re-send the hire.");
  AddProblem(request, Problem::ERROR, "goco_validation_failed", "start_date", "",
             "must be today or later");
  std::string body = ComposeNote(request);
  EXPECT_THAT(body, HasSubstr("Not synced: GoCo refused the employee."));
  EXPECT_THAT(body, HasSubstr("GoCo refused creating the employee (422): start_date "
                              "must not be in the past [start_date: must be today or later]"));
  EXPECT_THAT(body, HasSubstr("- start_date: must be today or later"));
  EXPECT_THAT(body, HasSubstr("then send the hire again"));
}

TEST(NoteTextTest, RevokedGoCoCredentialsSayTheHireIsKept) {
  PostNoteRequest request = Request(PostNoteRequest::NOT_SYNCED);
  request.set_reason(
      "GoCo refused the API key (401): the admin must update the connection's "
      "GoCo API key; the hire is kept and will sync once it works");
  std::string body = ComposeNote(request);
  EXPECT_THAT(body, HasSubstr("Not synced to GoCo yet"));
  EXPECT_THAT(body, HasSubstr("must update this connection's GoCo API key"));
  EXPECT_THAT(body, HasSubstr("The hire is kept and is synced as soon as the key works"));
  EXPECT_THAT(body, Not(HasSubstr("GoCo refused the employee")));

  request.set_reason("GoCo answered 403 Forbidden: the API key was revoked");
  EXPECT_THAT(ComposeNote(request), HasSubstr("GoCo refused hiresync's API key"));
  // A 422 whose text merely holds the digits is a rejection, not a credentials problem.
  request.set_reason("GoCo refused creating the employee (422): address 14013 Main St is invalid");
  EXPECT_THAT(ComposeNote(request), HasSubstr("GoCo refused the employee."));
}

TEST(NoteTextTest, GaveUpSaysWhatWasTriedAndSinceWhen) {
  PostNoteRequest request = Request(PostNoteRequest::GAVE_UP);
  request.set_reason("GoCo was unavailable (503) on 12 attempts since 2026-09-01 10:00 UTC");
  std::string body = ComposeNote(request);
  EXPECT_THAT(body, HasSubstr("Not synced to GoCo: hiresync gave up after retrying."));
  EXPECT_THAT(body, HasSubstr("What was tried: GoCo was unavailable (503) on 12 attempts since "
                              "2026-09-01 10:00 UTC"));
  EXPECT_THAT(body, HasSubstr("replay this event"));
}

TEST(NoteTextTest, SuccessNamesTheEmployee) {
  PostNoteRequest request = Request(PostNoteRequest::SYNCED);
  request.set_employee_id("emp_100");
  EXPECT_EQ(ComposeNote(request),
            "[hiresync → GoCo] Synced to GoCo as employee emp_100.\n\nhiresync event demo/17");
}

TEST(NoteTextTest, UnknownCodesStillPrintTheirMessage) {
  PostNoteRequest request = Request(PostNoteRequest::SYNCED_WITH_WARNINGS);
  request.set_employee_id("emp_5");
  AddProblem(request, Problem::WARNING, "several_offices", "location", "NYC, SF",
             "The job has several offices; hiresync used the first.");
  AddProblem(request, Problem::WARNING, "brand_new_code", "x", "", "");
  std::string body = ComposeNote(request);
  EXPECT_THAT(body, HasSubstr("- The job has several offices; hiresync used the first."));
  EXPECT_THAT(body, HasSubstr("- brand_new_code (x)"));
}

TEST(NoteTextTest, MarkerMatchesWholeEventIdsOnly) {
  EXPECT_EQ(MarkerLine("demo/17"), "hiresync event demo/17");
  EXPECT_TRUE(HasMarker("text\n\nhiresync event demo/17", "hiresync event demo/17"));
  EXPECT_TRUE(HasMarker("text<br>hiresync event demo/17<br>", "hiresync event demo/17"));
  EXPECT_FALSE(HasMarker("text\n\nhiresync event demo/170", "hiresync event demo/17"));
  EXPECT_FALSE(HasMarker("text", "hiresync event demo/17"));
}

TEST(NoteTextTest, KindNamesAreLowerCase) {
  EXPECT_EQ(KindName(PostNoteRequest::SYNCED_WITH_WARNINGS), "synced_with_warnings");
  EXPECT_EQ(KindName(PostNoteRequest::GAVE_UP), "gave_up");
}

}  // namespace
}  // namespace hiresync::notes
