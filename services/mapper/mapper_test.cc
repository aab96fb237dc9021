#include "services/mapper/mapper.h"

#include <string>
#include <vector>

#include "common/greenhouse/webhook.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/process.h"

namespace hiresync::mapper {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using v1::Problem;

v1::HireEvent FixtureEvent() {
  std::string body =
      hiresync::testing::ReadFile(hiresync::testing::FixturesDir() + "/hire_candidate.json");
  absl::StatusOr<greenhouse::Envelope> envelope = greenhouse::ParseEnvelope(body);
  EXPECT_TRUE(envelope.ok()) << envelope.status();
  v1::HireEvent event;
  event.set_connection_id("acme");
  event.set_delivery_id("d-1");
  if (!envelope.ok()) return event;
  absl::StatusOr<v1::Application> application = greenhouse::ParseHireApplication(envelope->payload);
  EXPECT_TRUE(application.ok()) << application.status();
  if (application.ok()) *event.mutable_application() = *application;
  return event;
}

// A hire with every field the recipe reads, and nothing to warn about.
v1::HireEvent CleanEvent() {
  v1::HireEvent event;
  event.set_connection_id("acme");
  v1::Application* application = event.mutable_application();
  application->set_id(11);
  v1::Candidate* candidate = application->mutable_candidate();
  candidate->set_id(22);
  candidate->set_first_name("Ada");
  candidate->set_last_name("Lovelace");
  v1::TypedValue* email = candidate->add_email_addresses();
  email->set_value("ada@example.com");
  email->set_type("personal");
  v1::TypedValue* phone = candidate->add_phone_numbers();
  phone->set_value("555-0100");
  phone->set_type("mobile");
  v1::Job* job = application->add_jobs();
  job->set_name("Engineer");
  job->add_departments()->set_name("Technology");
  job->add_offices()->set_name("London");
  v1::Offer* offer = application->mutable_offer();
  offer->set_starts_at("2030-03-01");
  v1::CustomField* title = offer->add_custom_fields();
  title->set_key("job_title");
  title->set_name("Job Title");
  title->set_value("Analytical Engineer");
  title->set_has_value(true);
  v1::CustomField* type = offer->add_custom_fields();
  type->set_key("employment_type");
  type->set_name("Employment Type");
  type->set_value("Full-time");
  type->set_has_value(true);
  return event;
}

v1::MapResponse Map(const v1::HireEvent& event, const v1::MappingOptions& options = {}) {
  return Mapper().Map(event, options);
}

const Problem* FindProblem(const v1::MapResponse& response, const std::string& code,
                           const std::string& field = "") {
  for (const Problem& problem : response.problems()) {
    if (problem.code() == code && (field.empty() || problem.field() == field)) return &problem;
  }
  return nullptr;
}

std::vector<std::string> Codes(const v1::MapResponse& response) {
  std::vector<std::string> codes;
  for (const Problem& problem : response.problems()) codes.push_back(problem.code());
  return codes;
}

v1::CustomField* OfferField(v1::HireEvent* event, const std::string& key) {
  for (v1::CustomField& field : *event->mutable_application()->mutable_offer()->mutable_custom_fields()) {
    if (field.key() == key) return &field;
  }
  return nullptr;
}

void RemoveOfferField(v1::HireEvent* event, const std::string& key) {
  auto* fields = event->mutable_application()->mutable_offer()->mutable_custom_fields();
  for (int i = 0; i < fields->size(); ++i) {
    if (fields->Get(i).key() == key) {
      fields->DeleteSubrange(i, 1);
      return;
    }
  }
}

TEST(MapperTest, CleanHireMapsEveryFieldWithoutProblems) {
  v1::MapResponse response = Map(CleanEvent());
  EXPECT_TRUE(response.syncable());
  EXPECT_THAT(Codes(response), SizeIs(0));
  const v1::NewHire& hire = response.new_hire();
  EXPECT_EQ(hire.connection_id(), "acme");
  EXPECT_EQ(hire.application_id(), 11);
  EXPECT_EQ(hire.candidate_id(), 22);
  EXPECT_EQ(hire.first_name(), "Ada");
  EXPECT_EQ(hire.last_name(), "Lovelace");
  EXPECT_EQ(hire.personal_email(), "ada@example.com");
  EXPECT_EQ(hire.personal_phone(), "555-0100");
  EXPECT_EQ(hire.start_date(), "2030-03-01");
  EXPECT_EQ(hire.job_title(), "Analytical Engineer");
  EXPECT_EQ(hire.employment_type(), "Full-time");
  EXPECT_EQ(hire.department(), "Technology");
  EXPECT_EQ(hire.location(), "London");
}

TEST(MapperTest, GreenhouseExampleHire) {
  v1::MapResponse response = Map(FixtureEvent());
  EXPECT_TRUE(response.syncable());
  const v1::NewHire& hire = response.new_hire();
  EXPECT_EQ(hire.connection_id(), "acme");
  EXPECT_EQ(hire.candidate_id(), 35897443);
  EXPECT_EQ(hire.application_id(), 46194062);
  EXPECT_EQ(hire.first_name(), "Johnny");
  EXPECT_EQ(hire.last_name(), "Smith");
  EXPECT_EQ(hire.personal_email(), "personal@example.com");
  EXPECT_EQ(hire.personal_phone(), "");
  EXPECT_EQ(hire.start_date(), "2015-01-23");
  EXPECT_EQ(hire.department(), "Technology");
  EXPECT_EQ(hire.location(), "New York City");
  // Employment Type is a job field in the example: the recipe reads the offer's.
  EXPECT_EQ(hire.employment_type(), "");
  EXPECT_EQ(hire.job_title(), "");
  ASSERT_THAT(hire.documents(), SizeIs(1));
  EXPECT_EQ(hire.documents(0).filename(), "resume.pdf");
  EXPECT_EQ(hire.documents(0).category(), "resume");
  EXPECT_EQ(hire.documents(0).source_type(), "resume");
  EXPECT_EQ(hire.documents(0).url(), "https://prod-heroku.s3.amazonaws.com/...");
  EXPECT_THAT(Codes(response),
              ::testing::UnorderedElementsAre("no_mobile_phone", "offer_field_missing",
                                              "offer_field_missing", "several_offices"));
  for (const Problem& problem : response.problems()) {
    EXPECT_EQ(problem.severity(), Problem::WARNING) << problem.code();
    EXPECT_FALSE(problem.message().empty()) << problem.code();
  }
}

TEST(MapperTest, NamesAreTrimmedAndInnerSpacesCollapsed) {
  v1::HireEvent event = CleanEvent();
  event.mutable_application()->mutable_candidate()->set_first_name("  Mary \t  Ann ");
  event.mutable_application()->mutable_candidate()->set_last_name("\nO'Brien  ");
  v1::MapResponse response = Map(event);
  EXPECT_EQ(response.new_hire().first_name(), "Mary Ann");
  EXPECT_EQ(response.new_hire().last_name(), "O'Brien");
  EXPECT_TRUE(response.syncable());
}

TEST(MapperTest, MissingFirstNameIsAnErrorThatBlocksTheSync) {
  v1::HireEvent event = CleanEvent();
  event.mutable_application()->mutable_candidate()->set_first_name("");
  v1::MapResponse response = Map(event);
  EXPECT_FALSE(response.syncable());
  const Problem* problem = FindProblem(response, "missing_first_name");
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(problem->severity(), Problem::ERROR);
  EXPECT_EQ(problem->field(), "first_name");
  EXPECT_THAT(problem->message(), HasSubstr("not synced"));
  EXPECT_THAT(problem->message(), HasSubstr("Fill in the candidate's first name in Greenhouse"));
  EXPECT_THAT(problem->message(), HasSubstr("hired again"));
  EXPECT_EQ(FindProblem(response, "missing_last_name"), nullptr);
}

TEST(MapperTest, BlankLastNameIsAnError) {
  v1::HireEvent event = CleanEvent();
  event.mutable_application()->mutable_candidate()->set_last_name(" \t ");
  v1::MapResponse response = Map(event);
  EXPECT_FALSE(response.syncable());
  const Problem* problem = FindProblem(response, "missing_last_name");
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(problem->severity(), Problem::ERROR);
  EXPECT_EQ(problem->field(), "last_name");
  EXPECT_THAT(problem->message(), HasSubstr("last name"));
}

TEST(MapperTest, EmptyEventNeverThrowsAndIsNotSyncable) {
  v1::MapResponse response = Map(v1::HireEvent());
  EXPECT_FALSE(response.syncable());
  EXPECT_NE(FindProblem(response, "missing_first_name"), nullptr);
  EXPECT_NE(FindProblem(response, "missing_last_name"), nullptr);
  EXPECT_NE(FindProblem(response, "no_offer"), nullptr);
}

TEST(MapperTest, PersonalEmailIsTheFirstPersonalAddress) {
  v1::HireEvent event = CleanEvent();
  auto* emails = event.mutable_application()->mutable_candidate()->mutable_email_addresses();
  emails->Clear();
  auto add = [emails](const std::string& value, const std::string& type) {
    v1::TypedValue* email = emails->Add();
    email->set_value(value);
    email->set_type(type);
  };
  add("work@example.com", "work");
  add("  first@example.com ", "personal");
  add("second@example.com", "personal");
  v1::MapResponse response = Map(event);
  EXPECT_EQ(response.new_hire().personal_email(), "first@example.com");
  EXPECT_EQ(FindProblem(response, "no_personal_email"), nullptr);
}

TEST(MapperTest, NoEmailAtAllIsNotAProblem) {
  v1::HireEvent event = CleanEvent();
  event.mutable_application()->mutable_candidate()->clear_email_addresses();
  v1::MapResponse response = Map(event);
  EXPECT_EQ(response.new_hire().personal_email(), "");
  EXPECT_EQ(FindProblem(response, "no_personal_email"), nullptr);
  EXPECT_TRUE(response.syncable());
}

TEST(MapperTest, OnlyWorkEmailWarnsWithoutRevealingIt) {
  v1::HireEvent event = CleanEvent();
  auto* emails = event.mutable_application()->mutable_candidate()->mutable_email_addresses();
  emails->Clear();
  v1::TypedValue* email = emails->Add();
  email->set_value("work@example.com");
  email->set_type("work");
  v1::TypedValue* other = emails->Add();
  other->set_value("other@example.com");
  other->set_type("other");
  v1::MapResponse response = Map(event);
  EXPECT_EQ(response.new_hire().personal_email(), "");
  EXPECT_TRUE(response.syncable());
  const Problem* problem = FindProblem(response, "no_personal_email");
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(problem->severity(), Problem::WARNING);
  EXPECT_EQ(problem->field(), "personal_email");
  EXPECT_THAT(problem->message(), HasSubstr("work, other"));
  EXPECT_THAT(problem->message(), HasSubstr("GoCo gets no email"));
  EXPECT_THAT(problem->message(), Not(HasSubstr("@example.com")));
  EXPECT_EQ(problem->value(), "");
}

TEST(MapperTest, PersonalPhoneIsTheFirstMobileNumber) {
  v1::HireEvent event = CleanEvent();
  auto* phones = event.mutable_application()->mutable_candidate()->mutable_phone_numbers();
  phones->Clear();
  v1::TypedValue* home = phones->Add();
  home->set_value("212-555-1212");
  home->set_type("home");
  v1::TypedValue* mobile = phones->Add();
  mobile->set_value(" 917-555-0000 ");
  mobile->set_type("mobile");
  v1::MapResponse response = Map(event);
  EXPECT_EQ(response.new_hire().personal_phone(), "917-555-0000");
  EXPECT_EQ(FindProblem(response, "no_mobile_phone"), nullptr);
}

TEST(MapperTest, NoMobilePhoneWarnsOnlyWhenOtherNumbersExist) {
  v1::HireEvent event = CleanEvent();
  event.mutable_application()->mutable_candidate()->clear_phone_numbers();
  EXPECT_EQ(FindProblem(Map(event), "no_mobile_phone"), nullptr);

  v1::TypedValue* home = event.mutable_application()->mutable_candidate()->add_phone_numbers();
  home->set_value("212-555-1212");
  home->set_type("home");
  v1::MapResponse response = Map(event);
  EXPECT_EQ(response.new_hire().personal_phone(), "");
  const Problem* problem = FindProblem(response, "no_mobile_phone");
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(problem->severity(), Problem::WARNING);
  EXPECT_EQ(problem->field(), "personal_phone");
  EXPECT_THAT(problem->message(), HasSubstr("(only: home)"));
  EXPECT_THAT(problem->message(), Not(HasSubstr("555")));
}

TEST(MapperTest, StartDateMustBeARealCalendarDate) {
  struct Case {
    std::string starts_at;
    bool valid;
  };
  for (const Case& c : std::vector<Case>{{"2015-01-23", true},
                                         {"2016-02-29", true},
                                         {"2000-02-29", true},
                                         {"2015-12-31", true},
                                         {"2015-02-30", false},
                                         {"2015-02-29", false},
                                         {"1900-02-29", false},
                                         {"2015-04-31", false},
                                         {"2015-13-01", false},
                                         {"2015-00-10", false},
                                         {"2015-01-00", false},
                                         {"01/23/2015", false},
                                         {"2015-1-23", false},
                                         {"2015-01-23T00:00:00Z", false},
                                         {"tomorrow", false}}) {
    SCOPED_TRACE(c.starts_at);
    v1::HireEvent event = CleanEvent();
    event.mutable_application()->mutable_offer()->set_starts_at(c.starts_at);
    v1::MapResponse response = Map(event);
    EXPECT_TRUE(response.syncable());
    const Problem* problem = FindProblem(response, "invalid_start_date");
    if (c.valid) {
      EXPECT_EQ(response.new_hire().start_date(), c.starts_at);
      EXPECT_EQ(problem, nullptr);
    } else {
      EXPECT_EQ(response.new_hire().start_date(), "");
      ASSERT_NE(problem, nullptr);
      EXPECT_EQ(problem->severity(), Problem::WARNING);
      EXPECT_EQ(problem->field(), "start_date");
      EXPECT_EQ(problem->value(), c.starts_at);
      EXPECT_THAT(problem->message(), HasSubstr(c.starts_at));
    }
  }
}

TEST(MapperTest, EmptyStartDateWarns) {
  v1::HireEvent event = CleanEvent();
  event.mutable_application()->mutable_offer()->set_starts_at("");
  v1::MapResponse response = Map(event);
  EXPECT_EQ(response.new_hire().start_date(), "");
  ASSERT_NE(FindProblem(response, "no_start_date", "start_date"), nullptr);
}

TEST(MapperTest, NoOfferWarnsOnceAndLeavesOfferFieldsOut) {
  v1::HireEvent event = CleanEvent();
  event.mutable_application()->clear_offer();
  v1::MapResponse response = Map(event);
  EXPECT_TRUE(response.syncable());
  EXPECT_THAT(Codes(response), ::testing::ElementsAre("no_offer"));
  const Problem* problem = FindProblem(response, "no_offer");
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(problem->severity(), Problem::WARNING);
  EXPECT_THAT(problem->message(), HasSubstr("start date, job title and employment type"));
  EXPECT_EQ(response.new_hire().start_date(), "");
  EXPECT_EQ(response.new_hire().job_title(), "");
  EXPECT_EQ(response.new_hire().employment_type(), "");
}

TEST(MapperTest, OfferFieldMatchedCaseInsensitivelyByTrimmedName) {
  v1::HireEvent event = CleanEvent();
  OfferField(&event, "job_title")->set_key("title_2019");
  OfferField(&event, "title_2019")->set_name("  job TITLE ");
  OfferField(&event, "title_2019")->set_value("  Engineer II ");
  v1::MapResponse response = Map(event);
  EXPECT_EQ(response.new_hire().job_title(), "Engineer II");
  EXPECT_EQ(FindProblem(response, "offer_field_missing"), nullptr);
}

TEST(MapperTest, OfferFieldExactNameWinsOverCaseInsensitiveMatch) {
  v1::HireEvent event = CleanEvent();
  v1::CustomField* near = event.mutable_application()->mutable_offer()->add_custom_fields();
  near->set_key("other");
  near->set_name("job title");
  near->set_value("Wrong");
  near->set_has_value(true);
  // The exact match comes later in the list than the near one.
  auto* fields = event.mutable_application()->mutable_offer()->mutable_custom_fields();
  fields->SwapElements(0, fields->size() - 1);
  EXPECT_EQ(Map(event).new_hire().job_title(), "Analytical Engineer");
}

TEST(MapperTest, OfferFieldFoundByKeyWhenRenamed) {
  v1::HireEvent event = CleanEvent();
  OfferField(&event, "employment_type")->set_name("Type of employment");
  v1::MapResponse response = Map(event);
  EXPECT_EQ(response.new_hire().employment_type(), "Full-time");
  EXPECT_EQ(FindProblem(response, "offer_field_missing"), nullptr);
}

TEST(MapperTest, ConfiguredOfferFieldNames) {
  v1::HireEvent event = CleanEvent();
  v1::CustomField* position = event.mutable_application()->mutable_offer()->add_custom_fields();
  position->set_key("position");
  position->set_name("Position");
  position->set_value("Staff Engineer");
  position->set_has_value(true);
  v1::CustomField* contract = event.mutable_application()->mutable_offer()->add_custom_fields();
  contract->set_key("contract_kind");
  contract->set_name("Contract Kind");
  contract->set_value("Part-time");
  contract->set_has_value(true);
  v1::MappingOptions options;
  options.set_job_title_field("Position");
  options.set_employment_type_field("Contract Kind");
  v1::MapResponse response = Map(event, options);
  EXPECT_EQ(response.new_hire().job_title(), "Staff Engineer");
  EXPECT_EQ(response.new_hire().employment_type(), "Part-time");

  options.set_job_title_field("Role Name");
  response = Map(event, options);
  EXPECT_EQ(response.new_hire().job_title(), "");
  const Problem* problem = FindProblem(response, "offer_field_missing", "job_title");
  ASSERT_NE(problem, nullptr);
  EXPECT_THAT(problem->message(), HasSubstr("name exactly 'Role Name'"));
}

TEST(MapperTest, MissingOfferFieldTellsHowToAddIt) {
  v1::HireEvent event = CleanEvent();
  RemoveOfferField(&event, "job_title");
  v1::MapResponse response = Map(event);
  EXPECT_TRUE(response.syncable());
  EXPECT_EQ(response.new_hire().job_title(), "");
  const Problem* problem = FindProblem(response, "offer_field_missing", "job_title");
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(problem->severity(), Problem::WARNING);
  EXPECT_THAT(problem->message(), HasSubstr("Configure > Custom Options > Offer Fields"));
  EXPECT_THAT(problem->message(), HasSubstr("name exactly 'Job Title'"));
  EXPECT_THAT(problem->message(), Not(HasSubstr("The job has")));
  EXPECT_EQ(FindProblem(response, "offer_field_missing", "employment_type"), nullptr);
}

TEST(MapperTest, EmploymentTypeIsNeverTakenFromTheJob) {
  v1::HireEvent event = CleanEvent();
  RemoveOfferField(&event, "employment_type");
  v1::CustomField* on_job =
      event.mutable_application()->mutable_jobs(0)->add_custom_fields();
  on_job->set_key("employment_type");
  on_job->set_name("Employment Type");
  on_job->set_value("Full-time");
  on_job->set_has_value(true);
  v1::MapResponse response = Map(event);
  EXPECT_EQ(response.new_hire().employment_type(), "");
  const Problem* problem = FindProblem(response, "offer_field_missing", "employment_type");
  ASSERT_NE(problem, nullptr);
  EXPECT_THAT(problem->message(),
              HasSubstr("The job has an 'Employment Type' field, but hiresync reads the offer's"));
  EXPECT_THAT(problem->message(), HasSubstr("name exactly 'Employment Type'"));
}

TEST(MapperTest, EmptyOfferFieldWarns) {
  v1::HireEvent event = CleanEvent();
  OfferField(&event, "employment_type")->set_value("");
  OfferField(&event, "employment_type")->set_has_value(false);
  OfferField(&event, "job_title")->set_value("   ");
  v1::MapResponse response = Map(event);
  EXPECT_EQ(response.new_hire().employment_type(), "");
  EXPECT_EQ(response.new_hire().job_title(), "");
  const Problem* type = FindProblem(response, "offer_field_empty", "employment_type");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->severity(), Problem::WARNING);
  EXPECT_THAT(type->message(), HasSubstr("'Employment Type' field is empty"));
  EXPECT_NE(FindProblem(response, "offer_field_empty", "job_title"), nullptr);
  EXPECT_EQ(FindProblem(response, "offer_field_missing"), nullptr);
}

TEST(MapperTest, DepartmentIsTheJobsFirst) {
  v1::HireEvent event = CleanEvent();
  v1::Job* job = event.mutable_application()->mutable_jobs(0);
  job->mutable_departments(0)->set_name("  Research  and Development ");
  job->add_departments()->set_name("Sales");
  EXPECT_EQ(Map(event).new_hire().department(), "Research and Development");

  job->clear_departments();
  v1::MapResponse response = Map(event);
  EXPECT_EQ(response.new_hire().department(), "");
  const Problem* problem = FindProblem(response, "no_department", "department");
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(problem->severity(), Problem::WARNING);
  EXPECT_THAT(problem->message(), HasSubstr("'Engineer'"));
}

TEST(MapperTest, SeveralOfficesUseTheFirstAndWarn) {
  v1::HireEvent event = CleanEvent();
  event.mutable_application()->mutable_jobs(0)->add_offices()->set_name("Paris");
  v1::MapResponse response = Map(event);
  EXPECT_EQ(response.new_hire().location(), "London");
  const Problem* problem = FindProblem(response, "several_offices", "location");
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(problem->severity(), Problem::WARNING);
  EXPECT_EQ(problem->value(), "London, Paris");
  EXPECT_THAT(problem->message(), HasSubstr("(London, Paris)"));
  EXPECT_THAT(problem->message(), HasSubstr("used the first one, 'London'"));
}

TEST(MapperTest, NoOfficeWarns) {
  v1::HireEvent event = CleanEvent();
  event.mutable_application()->mutable_jobs(0)->clear_offices();
  v1::MapResponse response = Map(event);
  EXPECT_EQ(response.new_hire().location(), "");
  EXPECT_NE(FindProblem(response, "no_office", "location"), nullptr);
  EXPECT_EQ(FindProblem(response, "several_offices"), nullptr);
}

TEST(MapperTest, NoJobWarnsForDepartmentAndLocation) {
  v1::HireEvent event = CleanEvent();
  event.mutable_application()->clear_jobs();
  v1::MapResponse response = Map(event);
  EXPECT_TRUE(response.syncable());
  EXPECT_THAT(Codes(response), ::testing::UnorderedElementsAre("no_department", "no_office"));
}

TEST(MapperTest, DocumentsFromAttachments) {
  v1::HireEvent event = CleanEvent();
  v1::Candidate* candidate = event.mutable_application()->mutable_candidate();
  auto add = [candidate](const std::string& filename, const std::string& url,
                         const std::string& type) {
    v1::Attachment* attachment = candidate->add_attachments();
    attachment->set_filename(filename);
    attachment->set_url(url);
    attachment->set_type(type);
  };
  add("cv.pdf", "https://s3/1", "resume");
  add("letter.pdf", "https://s3/2", "cover_letter");
  add("offer.pdf", "https://s3/3", "offer_letter");
  add("", "https://s3/4", "offer_packet");
  add("signed.pdf", "https://s3/5", "signed_offer_letter");
  add("test.zip", "https://s3/6", "take_home_test");
  add("notes.txt", "https://s3/7", "admin_only");
  add("no-url.pdf", "", "resume");
  add("cv-again.pdf", "https://s3/1", "resume");
  add("", "https://s3/8", "");
  v1::MapResponse response = Map(event);
  const auto& documents = response.new_hire().documents();
  ASSERT_THAT(documents, SizeIs(8));
  std::vector<std::vector<std::string>> expected = {
      {"cv.pdf", "https://s3/1", "resume", "resume"},
      {"letter.pdf", "https://s3/2", "cover_letter", "cover_letter"},
      {"offer.pdf", "https://s3/3", "offer_letter", "offer_letter"},
      {"offer_packet-4.bin", "https://s3/4", "offer_letter", "offer_packet"},
      {"signed.pdf", "https://s3/5", "signed_offer_letter", "signed_offer_letter"},
      {"test.zip", "https://s3/6", "other", "take_home_test"},
      {"notes.txt", "https://s3/7", "other", "admin_only"},
      {"attachment-10.bin", "https://s3/8", "other", ""},
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(documents[i].filename(), expected[i][0]);
    EXPECT_EQ(documents[i].url(), expected[i][1]);
    EXPECT_EQ(documents[i].category(), expected[i][2]);
    EXPECT_EQ(documents[i].source_type(), expected[i][3]);
  }
  EXPECT_TRUE(response.syncable());
}

TEST(MapperHelpersTest, Slug) {
  EXPECT_EQ(Slug("Job Title"), "job_title");
  EXPECT_EQ(Slug("Employment Type"), "employment_type");
  EXPECT_EQ(Slug(" Start-Date (US) "), "start_date__us_");
}

TEST(MapperHelpersTest, NormalizeSpaces) {
  EXPECT_EQ(NormalizeSpaces(""), "");
  EXPECT_EQ(NormalizeSpaces(" \t\n "), "");
  EXPECT_EQ(NormalizeSpaces(" a  b\tc "), "a b c");
}

TEST(MapperHelpersTest, DocumentCategory) {
  EXPECT_EQ(DocumentCategory("Resume"), "resume");
  EXPECT_EQ(DocumentCategory("offer_packet"), "offer_letter");
  EXPECT_EQ(DocumentCategory("something_new"), "other");
}

TEST(MapperHelpersTest, IsCalendarDate) {
  EXPECT_TRUE(IsCalendarDate("2024-02-29"));
  EXPECT_FALSE(IsCalendarDate("2023-02-29"));
  EXPECT_FALSE(IsCalendarDate("0000-01-01"));
  EXPECT_FALSE(IsCalendarDate("2023-0a-01"));
}

}  // namespace
}  // namespace hiresync::mapper
