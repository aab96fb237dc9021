// A hire end to end, with the real binaries on loopback: signed webhook -> ingress ->
// mapper -> writer -> an employee in goco-sandbox.
#include <gtest/gtest.h>
#include <signal.h>

#include "common/crypto/crypto.h"
#include "tests/integration/stack.h"

namespace hiresync::testing {
namespace {

std::string SampleResume() {
  return ReadFile(std::string(HIRESYNC_SOURCE_DIR) + "/deploy/local/sample/resume.pdf");
}

bool Has(const nlohmann::json& e, const char* key) {
  return e.contains(key) && !e[key].is_null() && e[key] != "";
}

class HireFlowTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(stack_.Start()); }
  Stack stack_;
};

TEST_F(HireFlowTest, GreenhouseExampleHireBecomesAGoCoEmployee) {
  auto answer = stack_.SendWebhook(stack_.HireFixture(), "evt-happy");
  ASSERT_EQ(answer.status, 200) << answer.body;
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();

  auto employees = stack_.Employees();
  ASSERT_EQ(employees.size(), 1u) << employees.dump(2);
  const auto& e = employees[0];
  EXPECT_EQ(e["first_name"], "Johnny");
  EXPECT_EQ(e["last_name"], "Smith");
  EXPECT_EQ(e["personal_email"], "personal@example.com");
  EXPECT_EQ(e["start_date"], "2015-01-23");
  EXPECT_EQ(e["status"], "incomplete");
  EXPECT_EQ(e["external_ids"]["greenhouse_candidate_id"], "35897443");
  // Rule for several offices: the first one listed ("New York City", then "St. Louis").
  EXPECT_EQ(stack_.CatalogName("/locations", e.value("location_id", "")), "New York City");
  EXPECT_EQ(stack_.CatalogName("/departments", e.value("department_id", "")), "Technology");
  // The example's offer has no "Job Title" / "Employment Type" custom fields: left out.
  EXPECT_FALSE(Has(e, "job_title_id")) << e.dump(2);
  EXPECT_FALSE(Has(e, "employment_type_id")) << e.dump(2);
  // The example has only work and home phones: no mobile, so no personal phone.
  EXPECT_FALSE(Has(e, "personal_phone")) << e.dump(2);

  ASSERT_EQ(e["documents"].size(), 1u) << e.dump(2);
  std::string resume = SampleResume();
  EXPECT_EQ(e["documents"][0]["filename"], "resume.pdf");
  EXPECT_EQ(e["documents"][0]["size_bytes"], resume.size());
  EXPECT_EQ(e["documents"][0]["sha256"], crypto::Sha256Hex(resume));
  EXPECT_EQ(e["documents"][0]["category"], "resume");
}

TEST_F(HireFlowTest, OfferCustomFieldsGiveJobTitleAndEmploymentType) {
  auto hire = nlohmann::json::parse(stack_.HireFixture());
  auto& offer_fields = hire["payload"]["application"]["offer"]["custom_fields"];
  offer_fields["job_title"] = {{"name", "Job Title"}, {"type", "short_text"}, {"value", "Software Engineer"}};
  offer_fields["employment_type"] = {{"name", "Employment Type"}, {"type", "single_select"}, {"value", "Full-time"}};
  hire["payload"]["application"]["candidate"]["phone_numbers"].push_back(
      {{"value", "646-555-0134"}, {"type", "mobile"}});
  ASSERT_EQ(stack_.SendWebhook(hire.dump()).status, 200);
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();
  auto employees = stack_.Employees();
  ASSERT_EQ(employees.size(), 1u);
  EXPECT_EQ(stack_.CatalogName("/job-titles", employees[0].value("job_title_id", "")), "Software Engineer");
  EXPECT_EQ(stack_.CatalogName("/employment-types", employees[0].value("employment_type_id", "")), "Full-time");
  EXPECT_EQ(employees[0]["personal_phone"], "646-555-0134");
}

TEST_F(HireFlowTest, BadInputIsRefusedAndNothingIsStored) {
  std::string hire = stack_.HireFixture();
  auto bad_signature = stack_.SendWebhook(hire, "", "demo", "not-the-secret");
  EXPECT_EQ(bad_signature.status, 401) << bad_signature.body;
  auto no_signature = stack_.Post(stack_.webhook_port, "/v1/webhooks/greenhouse/demo", hire);
  EXPECT_EQ(no_signature.status, 401);
  auto unknown = stack_.SendWebhook(hire, "", "no-such-connection");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  auto malformed = stack_.SendWebhook(R"({"action": "hire_candidate", "payload": {)");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(nlohmann::json::parse(malformed.body)["error"]["code"], "malformed");
  auto no_candidate = stack_.SendWebhook(R"({"action":"hire_candidate","payload":{"application":{"id":5}}})");
  EXPECT_EQ(no_candidate.status, 400);
  std::string huge = R"({"action":"hire_candidate","payload":{"pad":")" +
                     std::string(6 * 1024 * 1024, 'x') + "\"}}";
  auto too_large = stack_.SendWebhook(huge);
  EXPECT_EQ(too_large.status, 413) << too_large.body.substr(0, 200);
  auto ping = stack_.SendWebhook(ReadFile(FixturesDir() + "/ping.json"));
  EXPECT_EQ(ping.status, 200);
  auto other = stack_.SendWebhook(ReadFile(FixturesDir() + "/offer_created.json"));
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(stack_.InboxCount(), 0);
  EXPECT_EQ(stack_.Employees().size(), 0u);
}

TEST_F(HireFlowTest, RedeliveriesAndResentHiresGiveOneEmployee) {
  std::string hire = stack_.HireFixture();
  ASSERT_EQ(stack_.SendWebhook(hire, "evt-1").status, 200);
  auto again = stack_.SendWebhook(hire, "evt-1");
  EXPECT_EQ(again.status, 200);
  EXPECT_NE(again.body.find("duplicate"), std::string::npos);
  EXPECT_EQ(stack_.SendWebhook(hire, "evt-2").status, 200);  // same body, new id
  // The same hire sent again with a body that differs (Greenhouse re-fires on rehire).
  auto resent = nlohmann::json::parse(hire);
  resent["organization_name"] = "Acme";
  ASSERT_EQ(stack_.SendWebhook(resent.dump(), "evt-3").status, 200);
  EXPECT_EQ(stack_.InboxCount(), 2);
  ASSERT_TRUE(stack_.WaitForDone(2)) << stack_.Logs();
  auto employees = stack_.Employees();
  ASSERT_EQ(employees.size(), 1u) << employees.dump(2);
  EXPECT_EQ(employees[0]["documents"].size(), 1u);
}

TEST_F(HireFlowTest, ExistingGoCoEmployeeWithTheSameNameMeansNoNewEmployee) {
  auto existing = stack_.GoCoTest("POST", "/_sandbox/employees?company=demo",
                                  {{"first_name", "Johnny"}, {"last_name", "Smith"},
                                   {"status", "active"}});
  ASSERT_EQ(stack_.SendWebhook(stack_.HireFixture()).status, 200);
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();
  auto employees = stack_.Employees();
  ASSERT_EQ(employees.size(), 1u) << employees.dump(2);
  EXPECT_EQ(employees[0]["id"], existing["id"]);
  EXPECT_EQ(stack_.GoCoTest("GET", "/_sandbox/requests?method=POST&path=/employees")["count"], 0);
  auto notes = stack_.Notes(kFirstCandidateId);
  ASSERT_EQ(notes.size(), 1u) << notes.dump(2);
  std::string body = notes[0]["body"];
  EXPECT_NE(body.find("[hiresync → GoCo]"), std::string::npos) << body;
  EXPECT_NE(body.find(existing["id"].get<std::string>()), std::string::npos) << body;
  EXPECT_EQ(notes[0]["user_id"], kNoteAuthorId);
  EXPECT_EQ(notes[0]["visibility"], "admin_only");
}

TEST_F(HireFlowTest, GoCoUnavailableTwiceThenCreatedGivesOneEmployee) {
  stack_.GoCoTest("POST", "/_sandbox/faults?company=demo",
                  {{"method", "POST"}, {"path", "/employees"}, {"status", 503}, {"count", 2}});
  ASSERT_EQ(stack_.SendWebhook(stack_.HireFixture()).status, 200);
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();
  EXPECT_EQ(stack_.Employees().size(), 1u);
  EXPECT_EQ(stack_.GoCoTest("GET", "/_sandbox/requests?method=POST&path=/employees")["count"], 3);
}

TEST(HireFlowRestartTest, IngressKilledAfterTheAnswerStillSyncsTheHire) {
  StackOptions options;
  options.start_writer = false;  // nothing can be written yet: the hire waits in the inbox
  Stack stack(options);
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  ASSERT_EQ(stack.SendWebhook(stack.HireFixture(), "evt-kill").status, 200);
  stack.StopIngress(SIGKILL);
  EXPECT_EQ(stack.InboxCount(), 1);
  EXPECT_EQ(stack.Employees().size(), 0u);
  ASSERT_NO_FATAL_FAILURE(stack.StartWriter());
  ASSERT_NO_FATAL_FAILURE(stack.StartIngress());
  ASSERT_TRUE(stack.WaitForDone(1)) << stack.Logs();
  EXPECT_EQ(stack.Employees().size(), 1u);
}

}  // namespace
}  // namespace hiresync::testing
