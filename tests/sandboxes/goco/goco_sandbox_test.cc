// Runs the real goco-sandbox binary and checks it against goco-api.md.
#include <openssl/evp.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/support/process.h"

namespace hiresync::goco_sandbox {
namespace {

using hiresync::testing::BinDir;
using hiresync::testing::FreePort;
using hiresync::testing::Process;
using hiresync::testing::TempDir;
using hiresync::testing::WaitForHttp;
using hiresync::testing::WriteFile;
using Json = nlohmann::json;

constexpr char kKey[] = "test-key-7f3a";
constexpr char kBase[] = "/v1/companies/acme";
constexpr size_t kMiB = 1024 * 1024;

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i)
    hex += absl::StrCat(absl::Hex(digest[i], absl::kZeroPad2));
  return hex;
}

Json Parse(const httplib::Result& result) {
  if (!result) return Json();
  return Json::parse(result->body, nullptr, false);
}

std::string SandboxBinary() { return BinDir() + "/goco-sandbox"; }

class GocoSandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = FreePort();
    WriteFile(dir_.File("key"), absl::StrCat("  ", kKey, "\n"));
    auto process = Process::Start(SandboxBinary(),
                                  {"--host", "127.0.0.1", "--port", std::to_string(port_),
                                   "--company", "acme", "--api-key-file", dir_.File("key")},
                                  {}, dir_.File("sandbox.log"));
    ASSERT_TRUE(process.ok()) << process.status();
    process_ = *std::move(process);
    ASSERT_TRUE(WaitForHttp(port_, "/_sandbox/healthz")) << process_->Log();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(20, 0);
    client_->set_write_timeout(20, 0);
    auto catalog = client_->Put("/_sandbox/catalog?company=acme",
                                R"({"departments": ["Technology", "Sales"],
                                    "locations": ["New York City"],
                                    "job_titles": ["Software Engineer"],
                                    "employment_types": ["Full-Time", "Part-Time"]})",
                                "application/json");
    ASSERT_TRUE(catalog);
    ASSERT_EQ(catalog->status, 200) << catalog->body;
  }

  httplib::Headers Auth(const std::string& key = kKey) {
    return {{"Authorization", absl::StrCat("Bearer ", key)}};
  }

  httplib::Result Get(const std::string& path) { return client_->Get(kBase + path, Auth()); }

  httplib::Result Create(const Json& body, const std::string& idempotency_key = "") {
    httplib::Headers headers = Auth();
    if (!idempotency_key.empty()) headers.emplace("Idempotency-Key", idempotency_key);
    return client_->Post(absl::StrCat(kBase, "/employees"), headers, body.dump(),
                         "application/json");
  }

  httplib::Result Upload(const std::string& employee_id,
                         const httplib::MultipartFormDataItems& items) {
    return client_->Post(absl::StrCat(kBase, "/employees/", employee_id, "/documents"), Auth(),
                         items);
  }

  httplib::Result SandboxPost(const std::string& path, const Json& body) {
    return client_->Post(absl::StrCat("/_sandbox", path, "?company=acme"), body.dump(),
                         "application/json");
  }

  Json AllEmployees() { return Parse(client_->Get("/_sandbox/employees?company=acme")); }

  static std::vector<std::string> FieldNames(const Json& error) {
    std::vector<std::string> names;
    for (const Json& field : error["error"]["fields"]) names.push_back(field["field"]);
    return names;
  }

  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(GocoSandboxTest, RejectsMissingOrWrongKeyAndUnknownCompany) {
  auto missing = client_->Get(absl::StrCat(kBase, "/departments"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(Parse(missing)["error"]["code"], "unauthorized");
  EXPECT_FALSE(Parse(missing)["error"]["message"].get<std::string>().empty());
  EXPECT_TRUE(missing->has_header("X-RateLimit-Limit"));

  auto wrong = client_->Get(absl::StrCat(kBase, "/departments"), Auth("not-the-key"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);

  auto right = Get("/departments");
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);

  auto other_company = client_->Get("/v1/companies/nowhere/departments", Auth());
  ASSERT_TRUE(other_company);
  EXPECT_EQ(other_company->status, 404);
  EXPECT_EQ(Parse(other_company)["error"]["code"], "not_found");

  // The key belongs to acme only.
  ASSERT_EQ(client_->Get("/_sandbox/employees")->status, 200);  // creates "demo"
  auto demo = client_->Get("/v1/companies/demo/departments", Auth());
  ASSERT_TRUE(demo);
  EXPECT_EQ(demo->status, 401);

  // Replacing the keys revokes the old one.
  auto replaced = client_->Put("/_sandbox/api-keys?company=acme", R"({"keys": ["new-key"]})",
                               "application/json");
  ASSERT_TRUE(replaced);
  ASSERT_EQ(replaced->status, 200);
  EXPECT_EQ(Get("/departments")->status, 401);
  EXPECT_EQ(client_->Get(absl::StrCat(kBase, "/departments"), Auth("new-key"))->status, 200);
}

TEST_F(GocoSandboxTest, ServesTheCatalog) {
  auto departments = Get("/departments");
  ASSERT_TRUE(departments);
  EXPECT_EQ(Parse(departments), Json::parse(R"({"data": [{"id": "dep_1", "name": "Technology"},
                                     {"id": "dep_2", "name": "Sales"}]})"));
  EXPECT_EQ(Parse(Get("/locations"))["data"][0]["id"], "loc_1");
  EXPECT_EQ(Parse(Get("/job-titles"))["data"][0],
            Json::parse(R"({"id": "jt_1", "name": "Software Engineer"})"));
  EXPECT_EQ(Parse(Get("/employment-types"))["data"][1]["id"], "et_2");
  auto rate = Get("/departments");
  ASSERT_TRUE(rate);
  EXPECT_TRUE(rate->has_header("X-RateLimit-Remaining"));
  EXPECT_GT(std::stoll(rate->get_header_value("X-RateLimit-Reset")), 1700000000);
}

TEST_F(GocoSandboxTest, CreatesAnIncompleteEmployee) {
  Json body = {{"first_name", "Ada"},
               {"last_name", "Lovelace"},
               {"personal_email", "ada@example.com"},
               {"personal_phone", "+1 555 0100"},
               {"start_date", "2024-02-29"},
               {"employment_type_id", "et_1"},
               {"job_title_id", "jt_1"},
               {"department_id", "dep_2"},
               {"location_id", "loc_1"},
               {"source", "greenhouse"},
               {"external_ids", {{"greenhouse_candidate_id", "35897443"}}}};
  auto created = Create(body);
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  Json employee = Parse(created);
  EXPECT_EQ(employee["status"], "incomplete");
  EXPECT_EQ(employee["id"].get<std::string>().rfind("emp_", 0), 0u);
  EXPECT_EQ(employee["created_at"].get<std::string>().size(), 20u);  // 2024-01-01T00:00:00Z
  for (const auto& [name, value] : body.items()) EXPECT_EQ(employee[name], value) << name;

  auto fetched = Get(absl::StrCat("/employees/", employee["id"].get<std::string>()));
  ASSERT_TRUE(fetched);
  EXPECT_EQ(fetched->status, 200);
  EXPECT_EQ(Parse(fetched), employee);
  auto unknown = Get("/employees/emp_999999");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Parse(unknown)["error"]["code"], "not_found");

  // Neither the key nor personal data reaches the log.
  std::string log = process_->Log();
  EXPECT_EQ(log.find(kKey), std::string::npos);
  EXPECT_EQ(log.find("ada@example.com"), std::string::npos);
  EXPECT_NE(log.find("\"status\":201"), std::string::npos);
}

TEST_F(GocoSandboxTest, RejectsInvalidEmployees) {
  auto missing_names = Create({{"first_name", ""}});
  ASSERT_TRUE(missing_names);
  EXPECT_EQ(missing_names->status, 422);
  Json error = Parse(missing_names);
  EXPECT_EQ(error["error"]["code"], "validation_failed");
  EXPECT_EQ(FieldNames(error), (std::vector<std::string>{"first_name", "last_name"}));

  auto unknown_title = Create({{"first_name", "A"}, {"last_name", "B"}, {"job_title_id", "jt_9"}});
  ASSERT_TRUE(unknown_title);
  EXPECT_EQ(unknown_title->status, 422);
  EXPECT_EQ(Parse(unknown_title)["error"]["fields"],
            Json::parse(R"([{"field": "job_title_id", "message": "unknown job title"}])"));

  for (const char* date : {"2023-02-29", "2024-13-01", "2024-1-01", "01/02/2024"}) {
    auto bad_date = Create({{"first_name", "A"}, {"last_name", "B"}, {"start_date", date}});
    ASSERT_TRUE(bad_date);
    EXPECT_EQ(bad_date->status, 422) << date;
    EXPECT_EQ(FieldNames(Parse(bad_date)), std::vector<std::string>{"start_date"}) << date;
  }

  auto unknown_field = Create({{"first_name", "A"}, {"last_name", "B"}, {"nickname", "C"}});
  ASSERT_TRUE(unknown_field);
  EXPECT_EQ(unknown_field->status, 422);
  EXPECT_EQ(FieldNames(Parse(unknown_field)), std::vector<std::string>{"nickname"});

  auto bad_external_ids =
      Create({{"first_name", "A"}, {"last_name", "B"}, {"external_ids", {{"gh", 1}}}});
  ASSERT_TRUE(bad_external_ids);
  EXPECT_EQ(bad_external_ids->status, 422);

  auto not_json = client_->Post(absl::StrCat(kBase, "/employees"), Auth(), "first_name=A",
                                "application/x-www-form-urlencoded");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  EXPECT_EQ(Parse(not_json)["error"]["code"], "bad_request");

  EXPECT_EQ(AllEmployees()["count"], 0);
}

TEST_F(GocoSandboxTest, ReplaysTheFirstAnswerForTheSameIdempotencyKey) {
  Json body = {{"first_name", "Grace"}, {"last_name", "Hopper"}};
  auto first = Create(body, "hire-1");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 201);
  EXPECT_FALSE(first->has_header("Idempotent-Replayed"));

  auto again = Create(body, "hire-1");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 201);
  EXPECT_EQ(again->body, first->body);
  EXPECT_EQ(again->get_header_value("Idempotent-Replayed"), "true");

  auto conflict = Create({{"first_name", "Grace"}, {"last_name", "Brewster"}}, "hire-1");
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->status, 409);
  EXPECT_FALSE(Parse(conflict)["error"]["code"].get<std::string>().empty());

  auto other_key = Create(body, "hire-2");
  ASSERT_TRUE(other_key);
  EXPECT_EQ(other_key->status, 201);
  EXPECT_NE(Parse(other_key)["id"], Parse(first)["id"]);

  auto too_long = Create(body, std::string(256, 'k'));
  ASSERT_TRUE(too_long);
  EXPECT_EQ(too_long->status, 422);

  EXPECT_EQ(AllEmployees()["count"], 2);
}

TEST_F(GocoSandboxTest, FiltersEmployeesExactlyAndCaseSensitively) {
  ASSERT_EQ(SandboxPost("/employees", {{"first_name", "Jo"},
                                       {"last_name", "Smith"},
                                       {"personal_email", "jo@example.com"},
                                       {"status", "active"}})
                ->status,
            201);
  ASSERT_EQ(Create({{"first_name", "Jo"}, {"last_name", "Smithson"}})->status, 201);
  ASSERT_EQ(Create({{"first_name", "jo"}, {"last_name", "Smith"}})->status, 201);

  Json exact = Parse(Get("/employees?first_name=Jo&last_name=Smith"));
  ASSERT_EQ(exact["total"], 1);
  EXPECT_EQ(exact["data"][0]["personal_email"], "jo@example.com");
  EXPECT_EQ(exact["data"][0]["status"], "active");

  EXPECT_EQ(Parse(Get("/employees?first_name=Jo"))["total"], 2);
  EXPECT_EQ(Parse(Get("/employees?personal_email=JO@example.com"))["total"], 0);
  EXPECT_EQ(Parse(Get("/employees?status=incomplete"))["total"], 2);
  EXPECT_EQ(Parse(Get("/employees?status=active&first_name=Jo"))["total"], 1);
  EXPECT_EQ(Parse(Get("/employees?status=any"))["total"], 3);

  Json page = Parse(Get("/employees?limit=1&offset=1"));
  EXPECT_EQ(page["total"], 3);
  ASSERT_EQ(page["data"].size(), 1u);
  EXPECT_EQ(page["data"][0]["last_name"], "Smithson");

  for (const char* bad : {"/employees?status=hired", "/employees?limit=101", "/employees?limit=0",
                          "/employees?email=jo@example.com"}) {
    auto rejected = Get(bad);
    ASSERT_TRUE(rejected);
    EXPECT_EQ(rejected->status, 422) << bad;
  }
}

TEST_F(GocoSandboxTest, StoresUploadedDocumentsWithTheirSha256) {
  std::string id = Parse(Create({{"first_name", "A"}, {"last_name", "B"}}))["id"];
  std::string bytes = "%PDF-1.4\n";
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));

  auto uploaded = Upload(
      id, {{"file", bytes, "offer.pdf", "application/pdf"}, {"category", "offer_letter", "", ""}});
  ASSERT_TRUE(uploaded);
  ASSERT_EQ(uploaded->status, 201) << uploaded->body;
  Json document = Parse(uploaded);
  EXPECT_EQ(document["id"].get<std::string>().rfind("doc_", 0), 0u);
  EXPECT_EQ(document["employee_id"], id);
  EXPECT_EQ(document["filename"], "offer.pdf");
  EXPECT_EQ(document["size_bytes"], bytes.size());
  EXPECT_EQ(document["sha256"], Sha256Hex(bytes));

  Json listed = Parse(Get(absl::StrCat("/employees/", id, "/documents")));
  ASSERT_EQ(listed["data"].size(), 1u);
  EXPECT_EQ(listed["data"][0]["sha256"], Sha256Hex(bytes));
  EXPECT_EQ(AllEmployees()["data"][0]["documents"][0]["category"], "offer_letter");

  auto bad_category =
      Upload(id, {{"file", bytes, "a.pdf", "application/pdf"}, {"category", "passport", "", ""}});
  ASSERT_TRUE(bad_category);
  EXPECT_EQ(bad_category->status, 422);
  EXPECT_EQ(FieldNames(Parse(bad_category)), std::vector<std::string>{"category"});

  auto no_file = Upload(id, {{"category", "resume", "", ""}});
  ASSERT_TRUE(no_file);
  EXPECT_EQ(no_file->status, 422);
  EXPECT_EQ(FieldNames(Parse(no_file)), std::vector<std::string>{"file"});

  auto unknown_employee = Upload(
      "emp_999999", {{"file", bytes, "a.pdf", "application/pdf"}, {"category", "resume", "", ""}});
  ASSERT_TRUE(unknown_employee);
  EXPECT_EQ(unknown_employee->status, 404);
}

TEST_F(GocoSandboxTest, RefusesFilesOver25MiB) {
  std::string id = Parse(Create({{"first_name", "A"}, {"last_name", "B"}}))["id"];
  auto too_big =
      Upload(id, {{"file", std::string(25 * kMiB + 1, 'x'), "big.pdf", "application/pdf"},
                  {"category", "other", "", ""}});
  ASSERT_TRUE(too_big) << httplib::to_string(too_big.error());
  EXPECT_EQ(too_big->status, 413);
  EXPECT_EQ(Parse(too_big)["error"]["code"], "payload_too_large");

  auto at_limit = Upload(id, {{"file", std::string(25 * kMiB, 'x'), "limit.pdf", "application/pdf"},
                              {"category", "other", "", ""}});
  ASSERT_TRUE(at_limit);
  EXPECT_EQ(at_limit->status, 201);
  EXPECT_EQ(Parse(Get(absl::StrCat("/employees/", id, "/documents")))["data"].size(), 1u);
}

TEST_F(GocoSandboxTest, InjectedStatusAnswersTheNextCallsThenClears) {
  auto fault = SandboxPost("/faults", Json::parse(R"({"method": "POST", "path": "/employees",
                                                      "status": 503, "count": 2})"));
  ASSERT_TRUE(fault);
  ASSERT_EQ(fault->status, 200) << fault->body;
  Json body = {{"first_name", "A"}, {"last_name", "B"}};
  for (int i = 0; i < 2; ++i) {
    auto failed = Create(body);
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->status, 503);
    EXPECT_EQ(Parse(failed)["error"]["code"], "unavailable");
  }
  EXPECT_EQ(Get("/employees")->status, 200);  // other methods are not affected
  auto created = Create(body);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201);
  EXPECT_EQ(AllEmployees()["count"], 1);
  Json seen = Parse(client_->Get("/_sandbox/requests?company=acme&path=/employees&method=POST"));
  EXPECT_EQ(seen["count"], 3);

  ASSERT_EQ(SandboxPost("/faults", Json::parse(R"({"path": "/employees/*/documents",
                                                   "status": 429, "count": 1})"))
                ->status,
            200);
  auto limited = Upload(Parse(created)["id"],
                        {{"file", "x", "a.txt", "text/plain"}, {"category", "resume", "", ""}});
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_TRUE(limited->has_header("Retry-After"));
}

TEST_F(GocoSandboxTest, InjectedLatencyDelaysTheAnswer) {
  ASSERT_EQ(SandboxPost("/faults", Json::parse(R"({"method": "GET", "path": "/departments",
                                                   "latency_ms": 300, "count": 1})"))
                ->status,
            200);
  auto start = std::chrono::steady_clock::now();
  auto slow = Get("/departments");
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->status, 200);
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
}

// The statuses of `calls` GETs of /departments, as a string of 'o' (200) and 'x' (503).
std::string Outcomes(const std::function<httplib::Result()>& call, int calls) {
  std::string outcomes;
  for (int i = 0; i < calls; ++i) {
    auto result = call();
    outcomes += !result ? '?' : result->status == 200 ? 'o' : result->status == 503 ? 'x' : '!';
  }
  return outcomes;
}

TEST_F(GocoSandboxTest, ProbabilisticStatusFailsAShareOfCallsRepeatablyAndNeverRunsOut) {
  Json spec = Json::parse(R"({"method": "GET", "path": "/departments", "status": 503,
                              "probability": 0.3, "seed": 42})");
  ASSERT_EQ(SandboxPost("/faults", spec)->status, 200);
  constexpr int kCalls = 300;
  std::string first = Outcomes([&] { return Get("/departments"); }, kCalls);
  int64_t failed = std::count(first.begin(), first.end(), 'x');
  EXPECT_EQ(std::count(first.begin(), first.end(), 'o') + failed, kCalls) << first;
  // 0.3 of 300 is 90; a seeded draw far outside this band would mean the chance is ignored.
  EXPECT_GT(failed, 45) << first;
  EXPECT_LT(failed, 135) << first;
  Json faults = Parse(client_->Get("/_sandbox/faults?company=acme"))["faults"];
  ASSERT_EQ(faults.size(), 1u) << faults.dump();  // still there: no count limit
  EXPECT_EQ(faults[0]["probability"], 0.3);
  EXPECT_EQ(faults[0]["seed"], 42);
  EXPECT_EQ(faults[0]["matched"], kCalls);
  EXPECT_EQ(faults[0]["fired"], failed);
  EXPECT_FALSE(faults[0].contains("count"));
  EXPECT_EQ(Get("/locations")->status, 200);  // other paths are not affected

  // The same seed gives the same sequence.
  ASSERT_EQ(client_->Delete("/_sandbox/faults?company=acme")->status, 200);
  ASSERT_EQ(SandboxPost("/faults", spec)->status, 200);
  EXPECT_EQ(Outcomes([&] { return Get("/departments"); }, kCalls), first);

  // Probability 1 fails every call.
  ASSERT_EQ(client_->Delete("/_sandbox/faults?company=acme")->status, 200);
  ASSERT_EQ(SandboxPost("/faults", Json::parse(R"({"method": "POST", "path": "/employees",
                                                   "status": 503, "probability": 1})"))
                ->status,
            200);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(Create({{"first_name", "A"}, {"last_name", "B"}})->status, 503);
  EXPECT_EQ(AllEmployees()["count"], 0);
}

TEST_F(GocoSandboxTest, RandomLatencyStaysWithinItsRange) {
  ASSERT_EQ(SandboxPost("/faults", Json::parse(R"({"path": "/departments", "latency_ms_min": 60,
                                                   "latency_ms_max": 90, "probability": 1.0})"))
                ->status,
            200);
  for (int i = 0; i < 5; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto slow = Get("/departments");
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(slow);
    EXPECT_EQ(slow->status, 200);
    EXPECT_GE(elapsed, std::chrono::milliseconds(60));
  }
  Json faults = Parse(client_->Get("/_sandbox/faults?company=acme"))["faults"];
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_EQ(faults[0]["latency_ms_min"], 60);
  EXPECT_EQ(faults[0]["latency_ms_max"], 90);
  EXPECT_EQ(faults[0]["fired"], 5);
  // A latency and a status fault on the same call both apply.
  ASSERT_EQ(SandboxPost("/faults", Json::parse(R"({"path": "/departments", "status": 503,
                                                   "probability": 1.0})"))
                ->status,
            200);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Get("/departments")->status, 503);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(60));
}

TEST_F(GocoSandboxTest, RefusesBadProbabilisticFaults) {
  for (const char* bad : {
           R"({"path": "/employees", "status": 503, "probability": 0})",
           R"({"path": "/employees", "status": 503, "probability": 1.5})",
           R"({"path": "/employees", "status": 503, "probability": "high"})",
           R"({"path": "/employees", "status": 503, "probability": 0.5, "count": 3})",
           R"({"path": "/employees", "status": 503, "seed": 7})",
           R"({"path": "/employees", "status": 503, "probability": 0.5, "seed": -1})",
           R"({"path": "/employees", "latency_ms_min": 5})",
           R"({"path": "/employees", "latency_ms_min": 50, "latency_ms_max": 10})",
           R"({"path": "/employees", "latency_ms_min": 1, "latency_ms_max": 5, "status": 503})",
       }) {
    auto refused = SandboxPost("/faults", Json::parse(bad));
    ASSERT_TRUE(refused) << bad;
    EXPECT_EQ(refused->status, 400) << bad << ": " << refused->body;
    EXPECT_FALSE(Parse(refused)["error"]["message"].get<std::string>().empty()) << bad;
  }
  EXPECT_EQ(Parse(client_->Get("/_sandbox/faults?company=acme"))["faults"].size(), 0u);
}

TEST_F(GocoSandboxTest, DropAfterCommitClosesTheConnectionButKeepsTheEmployee) {
  ASSERT_EQ(SandboxPost("/faults", Json::parse(R"({"method": "POST", "path": "/employees",
                                                   "drop_after_commit": true, "count": 1})"))
                ->status,
            200);
  Json body = {{"first_name", "Dropped"}, {"last_name", "Call"}};
  auto dropped = Create(body, "drop-1");
  EXPECT_FALSE(dropped) << "status " << (dropped ? dropped->status : 0);
  Json all = AllEmployees();
  ASSERT_EQ(all["count"], 1);
  EXPECT_EQ(all["data"][0]["first_name"], "Dropped");

  // The retry with the same key gets the committed employee, not a second one.
  auto retried = Create(body, "drop-1");
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->status, 201);
  EXPECT_EQ(retried->get_header_value("Idempotent-Replayed"), "true");
  EXPECT_EQ(Parse(retried)["id"], all["data"][0]["id"]);
  EXPECT_EQ(AllEmployees()["count"], 1);
}

TEST_F(GocoSandboxTest, RateLimitAnswers429WithRetryAfter) {
  auto configured =
      SandboxPost("/faults", Json::parse(R"({"rate_limit": {"limit": 3, "window_seconds": 60}})"));
  ASSERT_TRUE(configured);
  ASSERT_EQ(configured->status, 200) << configured->body;
  for (int i = 0; i < 3; ++i) {
    auto allowed = Get("/departments");
    ASSERT_TRUE(allowed);
    EXPECT_EQ(allowed->status, 200);
    EXPECT_EQ(allowed->get_header_value("X-RateLimit-Limit"), "3");
    EXPECT_EQ(allowed->get_header_value("X-RateLimit-Remaining"), std::to_string(2 - i));
  }
  auto limited = Get("/departments");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(Parse(limited)["error"]["code"], "rate_limited");
  EXPECT_EQ(limited->get_header_value("X-RateLimit-Remaining"), "0");
  int retry_after = std::stoi(limited->get_header_value("Retry-After"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 60);

  ASSERT_EQ(client_->Delete("/_sandbox/faults?company=acme")->status, 200);
  EXPECT_EQ(Get("/departments")->status, 200);
}

TEST_F(GocoSandboxTest, ResetClearsStateButKeepsStartupKeys) {
  ASSERT_EQ(Create({{"first_name", "A"}, {"last_name", "B"}}, "k")->status, 201);
  ASSERT_EQ(
      client_->Put("/_sandbox/api-keys?company=acme", R"({"keys": ["other"]})", "application/json")
          ->status,
      200);
  auto reset = client_->Post("/_sandbox/reset?company=acme", "", "application/json");
  ASSERT_TRUE(reset);
  ASSERT_EQ(reset->status, 200);
  EXPECT_EQ(AllEmployees()["count"], 0);
  EXPECT_EQ(Parse(Get("/departments"))["data"].size(), 0u);
  EXPECT_EQ(client_->Get(absl::StrCat(kBase, "/departments"), Auth("other"))->status, 401);
}

TEST(GocoSandboxProcessTest, LoadsSeedAndStopsCleanlyAndRefusesABusyPort) {
  TempDir dir;
  WriteFile(dir.File("seed.json"), R"({"companies": {"demo": {
      "api_keys": ["seed-key"],
      "catalog": {"job_titles": ["Designer"]},
      "employees": [{"first_name": "Seeded", "last_name": "Person", "job_title_id": "jt_1",
                     "status": "active"}]}}})");
  int port = FreePort();
  auto process = Process::Start(SandboxBinary(),
                                {"--port", std::to_string(port), "--seed", dir.File("seed.json")},
                                {}, dir.File("first.log"));
  ASSERT_TRUE(process.ok()) << process.status();
  ASSERT_TRUE(WaitForHttp(port, "/_sandbox/healthz")) << (*process)->Log();
  EXPECT_NE((*process)->Log().find("\"msg\":\"listening\""), std::string::npos);

  httplib::Client client("127.0.0.1", port);
  auto listed = client.Get("/v1/companies/demo/employees?status=active",
                           {{"Authorization", "Bearer seed-key"}});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200);
  Json employees = Json::parse(listed->body);
  ASSERT_EQ(employees["total"], 1);
  EXPECT_EQ(employees["data"][0]["job_title_id"], "jt_1");

  auto second =
      Process::Start(SandboxBinary(), {"--port", std::to_string(port)}, {}, dir.File("second.log"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)->Wait(), 1);
  EXPECT_NE((*second)->Log().find("in use"), std::string::npos) << (*second)->Log();

  (*process)->Signal(SIGTERM);
  EXPECT_EQ((*process)->Wait(), 0);
}

TEST(GocoSandboxProcessTest, RefusesAnInvalidSeed) {
  TempDir dir;
  WriteFile(dir.File("seed.json"),
            R"({"companies": {"demo": {"employees": [{"first_name": "X"}]}}})");
  auto process = Process::Start(
      SandboxBinary(), {"--port", std::to_string(FreePort()), "--seed", dir.File("seed.json")}, {},
      dir.File("log"));
  ASSERT_TRUE(process.ok());
  EXPECT_EQ((*process)->Wait(), 1);
  EXPECT_NE((*process)->Log().find("last_name"), std::string::npos) << (*process)->Log();
}

}  // namespace
}  // namespace hiresync::goco_sandbox
