#include "common/greenhouse/webhook.h"

#include <dirent.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/process.h"

namespace hiresync::greenhouse {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

std::vector<std::string> FixtureNames() {
  std::vector<std::string> names;
  DIR* dir = opendir(hiresync::testing::FixturesDir().c_str());
  if (dir == nullptr) return names;
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

std::string Fixture(const std::string& name) {
  return hiresync::testing::ReadFile(hiresync::testing::FixturesDir() + "/" + name);
}

const v1::CustomField* FindField(const google::protobuf::RepeatedPtrField<v1::CustomField>& fields,
                                 const std::string& key) {
  for (const v1::CustomField& field : fields) {
    if (field.key() == key) return &field;
  }
  return nullptr;
}

absl::StatusOr<v1::Application> ParseHire(const std::string& body) {
  absl::StatusOr<Envelope> envelope = ParseEnvelope(body);
  if (!envelope.ok()) return envelope.status();
  return ParseHireApplication(envelope->payload);
}

TEST(ParseEnvelopeTest, EveryFixtureParsesWithItsAction) {
  std::vector<std::string> names = FixtureNames();
  ASSERT_GE(names.size(), 18u) << "fixtures not found in " << hiresync::testing::FixturesDir();
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    absl::StatusOr<Envelope> envelope = ParseEnvelope(Fixture(name));
    ASSERT_TRUE(envelope.ok()) << envelope.status();
    // Each fixture is named after its action.
    EXPECT_EQ(envelope->action, name.substr(0, name.size() - 5));
    EXPECT_TRUE(envelope->payload.is_object());
  }
}

TEST(ParseEnvelopeTest, MalformedJsonNamesTheByteOffset) {
  absl::StatusOr<Envelope> envelope = ParseEnvelope("{\"action\": \"ping\", \"payload\": {");
  ASSERT_FALSE(envelope.ok());
  EXPECT_EQ(envelope.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(envelope.status().message()), HasSubstr("not valid JSON"));
  EXPECT_THAT(std::string(envelope.status().message()), HasSubstr("at byte 32"));
}

// Found by tests/fuzz (greenhouse_payload): the parser's message quotes the bytes it
// stopped at, and the webhook answer that carries the message is JSON, which must be UTF-8.
TEST(ParseEnvelopeTest, MalformedJsonMessageIsPrintableAscii) {
  absl::StatusOr<Envelope> envelope =
      ParseEnvelope(std::string("{\"action\": \"ping\", \"payload\": {\"x\": \"\x85\xFF\"}}"));
  ASSERT_FALSE(envelope.ok());
  std::string message(envelope.status().message());
  EXPECT_THAT(message, HasSubstr("\\x85"));
  for (unsigned char c : message) EXPECT_TRUE(c >= 0x20 && c < 0x7F) << static_cast<int>(c);
  EXPECT_NO_THROW(nlohmann::json(message).dump());
}

// Found by tests/fuzz (greenhouse_payload): nlohmann throws out_of_range, not parse_error,
// for a number a double cannot hold.
TEST(ParseEnvelopeTest, NumberTooLargeIsMalformed) {
  absl::StatusOr<Envelope> envelope =
      ParseEnvelope(R"({"action": "hire_candidate", "payload": {"application": {"id": 1e400}}})");
  ASSERT_FALSE(envelope.ok());
  EXPECT_EQ(envelope.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(envelope.status().message()), HasSubstr("cannot be read as JSON"));
}

TEST(ParseEnvelopeTest, EmptyBodyIsMalformed) {
  absl::StatusOr<Envelope> envelope = ParseEnvelope("");
  ASSERT_FALSE(envelope.ok());
  EXPECT_EQ(envelope.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseEnvelopeTest, RootMustBeAnObject) {
  absl::StatusOr<Envelope> envelope = ParseEnvelope("[1, 2]");
  ASSERT_FALSE(envelope.ok());
  EXPECT_EQ(envelope.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(envelope.status().message()), HasSubstr("not an object"));
}

TEST(ParseEnvelopeTest, ActionMustBeAString) {
  absl::StatusOr<Envelope> missing = ParseEnvelope(R"({"payload": {}})");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("no \"action\""));
  absl::StatusOr<Envelope> number = ParseEnvelope(R"({"action": 7, "payload": {}})");
  ASSERT_FALSE(number.ok());
  EXPECT_THAT(std::string(number.status().message()), HasSubstr("\"action\" is not a string"));
}

TEST(ParseEnvelopeTest, PayloadMustBeAnObject) {
  absl::StatusOr<Envelope> missing = ParseEnvelope(R"({"action": "ping"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("no \"payload\""));
  absl::StatusOr<Envelope> text = ParseEnvelope(R"({"action": "ping", "payload": "x"})");
  ASSERT_FALSE(text.ok());
  EXPECT_THAT(std::string(text.status().message()), HasSubstr("\"payload\" is not an object"));
}

TEST(ParseEnvelopeTest, UnknownRootKeysAreIgnored) {
  absl::StatusOr<Envelope> envelope = ParseEnvelope(
      R"({"organization_name": "Acme", "organization_id": 5, "action": "ping", "payload": {}})");
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  EXPECT_EQ(envelope->action, "ping");
}

TEST(ParseHireApplicationTest, HireFixtureFullFields) {
  absl::StatusOr<v1::Application> application = ParseHire(Fixture("hire_candidate.json"));
  ASSERT_TRUE(application.ok()) << application.status();
  EXPECT_EQ(application->id(), 46194062);
  EXPECT_EQ(application->url(),
            "https://app.greenhouse.io/people/35897443?application_id=46194062");

  const v1::Candidate& candidate = application->candidate();
  EXPECT_EQ(candidate.id(), 35897443);
  EXPECT_EQ(candidate.first_name(), "Johnny");
  EXPECT_EQ(candidate.last_name(), "Smith");
  EXPECT_EQ(candidate.url(), "https://app.greenhouse.io/people/35897443");
  ASSERT_THAT(candidate.email_addresses(), SizeIs(2));
  EXPECT_EQ(candidate.email_addresses(0).value(), "personal@example.com");
  EXPECT_EQ(candidate.email_addresses(0).type(), "personal");
  EXPECT_EQ(candidate.email_addresses(1).type(), "work");
  ASSERT_THAT(candidate.phone_numbers(), SizeIs(2));
  EXPECT_EQ(candidate.phone_numbers(0).value(), "518-555-1212");
  EXPECT_EQ(candidate.phone_numbers(0).type(), "work");
  EXPECT_EQ(candidate.phone_numbers(1).type(), "home");
  ASSERT_THAT(candidate.attachments(), SizeIs(1));
  EXPECT_EQ(candidate.attachments(0).filename(), "resume.pdf");
  EXPECT_EQ(candidate.attachments(0).type(), "resume");
  EXPECT_EQ(candidate.attachments(0).url(), "https://prod-heroku.s3.amazonaws.com/...");

  ASSERT_THAT(application->jobs(), SizeIs(1));
  const v1::Job& job = application->jobs(0);
  EXPECT_EQ(job.id(), 323753);
  EXPECT_EQ(job.name(), "Developer");
  ASSERT_THAT(job.departments(), SizeIs(1));
  EXPECT_EQ(job.departments(0).name(), "Technology");
  EXPECT_EQ(job.departments(0).id(), 7);
  EXPECT_EQ(job.departments(0).external_id(), "ex-dept-1");
  ASSERT_THAT(job.offices(), SizeIs(2));
  EXPECT_EQ(job.offices(0).name(), "New York City");
  EXPECT_EQ(job.offices(0).location(), "New York, NY");
  EXPECT_EQ(job.offices(1).name(), "St. Louis");
  EXPECT_EQ(job.offices(1).location(), "");
  EXPECT_EQ(job.offices(1).external_id(), "");
  const v1::CustomField* employment_type = FindField(job.custom_fields(), "employment_type");
  ASSERT_NE(employment_type, nullptr);
  EXPECT_EQ(employment_type->name(), "Employment Type");
  EXPECT_EQ(employment_type->type(), "single_select");
  EXPECT_EQ(employment_type->value(), "Full-time");
  EXPECT_TRUE(employment_type->has_value());
  const v1::CustomField* approved = FindField(job.custom_fields(), "approved");
  ASSERT_NE(approved, nullptr);
  EXPECT_EQ(approved->value(), "true");
  const v1::CustomField* salary_range = FindField(job.custom_fields(), "salary_range");
  ASSERT_NE(salary_range, nullptr);
  EXPECT_EQ(salary_range->value(), "10000.0-20000.0 USD");

  ASSERT_TRUE(application->has_offer());
  const v1::Offer& offer = application->offer();
  EXPECT_EQ(offer.id(), 506409);
  EXPECT_EQ(offer.version(), 2);
  EXPECT_EQ(offer.starts_at(), "2015-01-23");
  EXPECT_EQ(offer.resolved_at(), "2014-11-20T22:49:14Z");
  const v1::CustomField* salary = FindField(offer.custom_fields(), "salary");
  ASSERT_NE(salary, nullptr);
  EXPECT_EQ(salary->name(), "Salary");
  EXPECT_EQ(salary->type(), "currency");
  EXPECT_EQ(salary->value(), "80000 USD");
  const v1::CustomField* seasons = FindField(offer.custom_fields(), "seasons");
  ASSERT_NE(seasons, nullptr);
  EXPECT_EQ(seasons->value(), "Season 1, Season 2");
  EXPECT_TRUE(seasons->has_value());
}

TEST(ParseHireApplicationTest, HireWithoutCandidateIsRefused) {
  absl::StatusOr<v1::Application> application =
      ParseHire(R"({"action": "hire_candidate", "payload": {"application": {"id": 1}}})");
  ASSERT_FALSE(application.ok());
  EXPECT_EQ(application.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(application.status().message()),
              HasSubstr("payload.application.candidate is missing: a hire must carry the "
                        "candidate"));
  absl::StatusOr<v1::Application> null_candidate = ParseHire(
      R"({"action": "hire_candidate", "payload": {"application": {"candidate": null}}})");
  ASSERT_FALSE(null_candidate.ok());
  EXPECT_THAT(std::string(null_candidate.status().message()), HasSubstr("payload.application.candidate"));
}

TEST(ParseHireApplicationTest, HireWithoutApplicationIsRefused) {
  absl::StatusOr<v1::Application> application =
      ParseHire(R"({"action": "hire_candidate", "payload": {"application": []}})");
  ASSERT_FALSE(application.ok());
  EXPECT_EQ(application.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(application.status().message()), HasSubstr("payload.application is missing"));
  EXPECT_FALSE(ParseHireApplication(nlohmann::json::array()).ok());
}

TEST(ParseHireApplicationTest, WrongTypesReadAsAbsent) {
  absl::StatusOr<v1::Application> application = ParseHire(R"({
    "action": "hire_candidate",
    "payload": {"application": {
      "id": "46194062",
      "url": 12,
      "candidate": {
        "id": 35897443.0,
        "first_name": 5,
        "last_name": null,
        "email_addresses": {"value": "x@example.com"},
        "phone_numbers": [null, 3, {"value": 5551212, "type": "mobile"}, {"value": "1", "type": 2}],
        "attachments": [7, {"filename": null, "url": "https://s3/x", "type": "resume"}]
      },
      "jobs": [null, {"id": "abc", "departments": "Technology", "offices": [{"name": ["x"]}],
                      "custom_fields": 7}],
      "offer": "none"
    }}})");
  ASSERT_TRUE(application.ok()) << application.status();
  EXPECT_EQ(application->id(), 46194062);
  EXPECT_EQ(application->url(), "");
  EXPECT_EQ(application->candidate().id(), 35897443);
  EXPECT_EQ(application->candidate().first_name(), "");
  EXPECT_EQ(application->candidate().last_name(), "");
  EXPECT_THAT(application->candidate().email_addresses(), SizeIs(0));
  ASSERT_THAT(application->candidate().phone_numbers(), SizeIs(1));
  EXPECT_EQ(application->candidate().phone_numbers(0).value(), "1");
  EXPECT_EQ(application->candidate().phone_numbers(0).type(), "");
  ASSERT_THAT(application->candidate().attachments(), SizeIs(1));
  EXPECT_EQ(application->candidate().attachments(0).filename(), "");
  EXPECT_EQ(application->candidate().attachments(0).url(), "https://s3/x");
  ASSERT_THAT(application->jobs(), SizeIs(1));
  EXPECT_EQ(application->jobs(0).id(), 0);
  EXPECT_THAT(application->jobs(0).departments(), SizeIs(0));
  ASSERT_THAT(application->jobs(0).offices(), SizeIs(1));
  EXPECT_EQ(application->jobs(0).offices(0).name(), "");
  EXPECT_THAT(application->jobs(0).custom_fields(), SizeIs(0));
  EXPECT_FALSE(application->has_offer());
}

TEST(ParseHireApplicationTest, NamesAreKeptRaw) {
  absl::StatusOr<v1::Application> application = ParseHire(
      R"({"action": "hire_candidate", "payload": {"application": {"candidate":
          {"first_name": "  Mary  Ann ", "last_name": "O'Brien\t"}}}})");
  ASSERT_TRUE(application.ok()) << application.status();
  EXPECT_EQ(application->candidate().first_name(), "  Mary  Ann ");
  EXPECT_EQ(application->candidate().last_name(), "O'Brien\t");
}

TEST(ParseHireApplicationTest, NullOfferIsAbsentAndDeprecatedJobIsRead) {
  absl::StatusOr<v1::Application> application = ParseHire(
      R"({"action": "hire_candidate", "payload": {"application": {"candidate": {},
          "offer": null, "job": {"id": 9, "name": "Chef"}}}})");
  ASSERT_TRUE(application.ok()) << application.status();
  EXPECT_FALSE(application->has_offer());
  ASSERT_THAT(application->jobs(), SizeIs(1));
  EXPECT_EQ(application->jobs(0).name(), "Chef");
}

TEST(ParseHireApplicationTest, UnicodeEscapesAreDecoded) {
  absl::StatusOr<v1::Application> application = ParseHire(
      R"({"action": "hire_candidate", "payload": {"application": {"candidate":
          {"first_name": "Jos\u00e9 \u003cJ\u003e", "last_name": "\u0026 Co"}}}})");
  ASSERT_TRUE(application.ok()) << application.status();
  EXPECT_EQ(application->candidate().first_name(), "Jos\xC3\xA9 <J>");
  EXPECT_EQ(application->candidate().last_name(), "& Co");
}

TEST(ParseHireApplicationTest, IdsFromNumbersOrNumericStrings) {
  absl::StatusOr<v1::Application> application = ParseHire(
      R"({"action": "hire_candidate", "payload": {"application": {"id": " 42 ",
          "candidate": {"id": "x1"}, "offer": {"id": 9007199254740993, "version": "3"}}}})");
  ASSERT_TRUE(application.ok()) << application.status();
  EXPECT_EQ(application->id(), 42);
  EXPECT_EQ(application->candidate().id(), 0);
  EXPECT_EQ(application->offer().id(), 9007199254740993);
  EXPECT_EQ(application->offer().version(), 3);
}

TEST(CustomFieldTest, ValuesOfEveryType) {
  using nlohmann::json;
  struct Case {
    json value;
    std::string text;
  };
  std::vector<Case> cases = {
      {"Senior", "Senior"},
      {80000, "80000"},
      {80000.0, "80000"},
      {-3, "-3"},
      {12.5, "12.5"},
      {0.1, "0.1"},
      {"10000.0", "10000.0"},
      {true, "true"},
      {false, "false"},
      {json::array({"Season 1", "Season 2"}), "Season 1, Season 2"},
      {json::array({1, 2.5}), "1, 2.5"},
      {json{{"amount", 80000}, {"unit", "USD"}}, "80000 USD"},
      {json{{"amount", "80000.50"}, {"unit", "EUR"}}, "80000.50 EUR"},
      {json{{"amount", 100}}, "100"},
      {json{{"unit", "USD"}, {"min_value", "10000.0"}, {"max_value", "20000.0"}},
       "10000.0-20000.0 USD"},
      {json{{"min_value", 1}, {"max_value", 5}}, "1-5"},
      {json{{"id", 55}, {"name", "Bob Johnson"}, {"email", "bob@example.com"}}, "Bob Johnson"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value.dump());
    v1::CustomField field =
        ParseCustomField("k", json{{"name", "N"}, {"type", "t"}, {"value", c.value}});
    EXPECT_EQ(field.key(), "k");
    EXPECT_EQ(field.name(), "N");
    EXPECT_EQ(field.type(), "t");
    EXPECT_EQ(field.value(), c.text);
    EXPECT_TRUE(field.has_value());
  }
}

TEST(CustomFieldTest, EmptyValuesHaveNoValue) {
  using nlohmann::json;
  for (const json& value : {json(nullptr), json::array(), json(""), json::object(),
                            json{{"unit", "USD"}, {"min_value", nullptr}, {"max_value", nullptr}}}) {
    SCOPED_TRACE(value.dump());
    v1::CustomField field = ParseCustomField("k", json{{"name", "N"}, {"value", value}});
    EXPECT_EQ(field.value(), "");
    EXPECT_FALSE(field.has_value());
  }
  v1::CustomField no_value = ParseCustomField("k", json{{"name", "N"}});
  EXPECT_FALSE(no_value.has_value());
  v1::CustomField bare = ParseCustomField("k", json("Full-time"));
  EXPECT_EQ(bare.value(), "Full-time");
  EXPECT_EQ(bare.name(), "");
}

}  // namespace
}  // namespace hiresync::greenhouse
