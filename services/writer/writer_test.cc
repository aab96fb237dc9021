// The writer against the real goco-sandbox binary (tests/sandboxes/goco).
#include "common/http/server_defaults.h"
#include "services/writer/writer.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/config/config.h"
#include "common/crypto/crypto.h"
#include "common/grpc/server.h"
#include "common/metrics/metrics.h"
#include "hiresync/v1/writer.grpc.pb.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "services/writer/attachment_fetcher.h"
#include "services/writer/goco_client.h"
#include "services/writer/ledger.h"
#include "tests/support/http.h"
#include "tests/support/process.h"
#include "tests/support/recording_clock.h"
#include "tests/support/sandbox.h"

namespace hiresync::writer {
namespace {

using hiresync::testing::FreePort;
using hiresync::testing::Process;
using hiresync::testing::RecordingClock;
using hiresync::testing::TempDir;
using hiresync::v1::WriteRequest;
using hiresync::v1::WriteResponse;
using Json = nlohmann::json;

constexpr char kApiKey[] = "test-goco-key";

// A file server for attachments: records whether credentials arrived; /expired/* is 403.
class AttachmentServer {
 public:
  AttachmentServer() {
    server_.Get(R"(/files/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.has_header("Authorization") || req.has_header("Cookie")) credentials_seen_ = true;
      ++downloads_;
      std::lock_guard lock(mutex_);
      auto it = files_.find(req.matches[1]);
      if (it == files_.end()) {
        res.status = 404;
        return;
      }
      res.set_content(it->second, "application/octet-stream");
    });
    server_.Get(R"(/expired/(.+))", [](const httplib::Request&, httplib::Response& res) {
      res.status = 403;
      res.set_content("<Error><Code>AccessDenied</Code>Request has expired</Error>",
                      "application/xml");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = hiresync::http::ListenInBackground(server_);
    hiresync::testing::WaitFor([this] { return server_.is_running(); });
  }
  ~AttachmentServer() {
    server_.stop();
    thread_.join();
  }
  void Put(const std::string& name, const std::string& bytes) {
    std::lock_guard lock(mutex_);
    files_[name] = bytes;
  }
  std::string Url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }
  bool credentials_seen() const { return credentials_seen_; }
  int downloads() const { return downloads_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::map<std::string, std::string> files_;
  std::atomic<bool> credentials_seen_{false};
  std::atomic<int> downloads_{0};
};

class WriterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    hiresync::testing::WriteFile(dir_->File("goco.key"), kApiKey);
    auto sandbox = hiresync::testing::StartSandbox(
        "goco-sandbox", {"--company", "demo", "--api-key-file", dir_->File("goco.key")},
        dir_->File("goco-sandbox.log"));
    ASSERT_TRUE(sandbox.ok()) << sandbox.status();
    port_ = sandbox->port;
    sandbox_ = sandbox->process.release();
  }
  static void TearDownTestSuite() {
    delete sandbox_;
    sandbox_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(sandbox_, nullptr);
    ASSERT_EQ(Sandbox("POST", "/_sandbox/reset", "").status, 200);
    ASSERT_EQ(Sandbox("DELETE", "/_sandbox/faults", "").status, 200);
    SetCatalog({"Technology", "Sales"}, {"New York City"}, {"Software Engineer"}, {"Full-Time"});
    ledger_dir_ = std::make_unique<TempDir>();
    auto ledger = Ledger::Open(ledger_dir_->File("ledger.db"));
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ledger_ = std::move(*ledger);
    clock_ = std::make_shared<RecordingClock>();
    MakeWriter(hiresync::v1::MappingOptions::FIRST_LAST_NAME);
  }

  std::string BaseUrl() const {
    return absl::StrCat("http://127.0.0.1:", port_, "/v1/companies/demo");
  }

  std::string ConfigJson(hiresync::v1::MappingOptions::DuplicateRule rule) const {
    return absl::StrCat(R"({"connections": [{"id": "acme", "webhook_secret": {"file": ")",
                        dir_->File("goco.key"), R"("}, "goco": {"base_url": ")", BaseUrl(),
                        R"(", "api_key": {"file": ")", dir_->File("goco.key"),
                        R"("}}, "mapping": {"duplicate_rule": ")",
                        hiresync::v1::MappingOptions::DuplicateRule_Name(rule), R"("}}]})");
  }

  void MakeWriter(hiresync::v1::MappingOptions::DuplicateRule rule) {
    auto connections = config::Parse(ConfigJson(rule), "test");
    ASSERT_TRUE(connections.ok()) << connections.status();
    writer_ =
        std::make_unique<Writer>(*connections, ledger_.get(), &fetcher_, RealGoCoFactory(clock_));
  }

  struct Reply {
    int status = 0;
    Json body;
  };
  static Reply Sandbox(const std::string& method, const std::string& path,
                       const std::string& body) {
    hiresync::testing::HttpReply answer = hiresync::testing::HttpCall(port_, method, path, body);
    Reply reply;
    if (answer.status == 0) return reply;
    reply.status = answer.status;
    reply.body = Json::parse(answer.body, nullptr, false);
    return reply;
  }
  static void SetCatalog(std::vector<std::string> departments, std::vector<std::string> locations,
                         std::vector<std::string> job_titles,
                         std::vector<std::string> employment_types) {
    Json body = {{"departments", departments},
                 {"locations", locations},
                 {"job_titles", job_titles},
                 {"employment_types", employment_types}};
    Reply reply = Sandbox("PUT", "/_sandbox/catalog", body.dump());
    ASSERT_EQ(reply.status, 200) << reply.body.dump();
  }
  static void Fault(const Json& fault) {
    Reply reply = Sandbox("POST", "/_sandbox/faults", fault.dump());
    ASSERT_EQ(reply.status, 200) << reply.body.dump();
  }
  static Json Employees() { return Sandbox("GET", "/_sandbox/employees", "").body["data"]; }
  static int64_t Requests(const std::string& method, const std::string& path) {
    Reply reply =
        Sandbox("GET", absl::StrCat("/_sandbox/requests?method=", method, "&path=", path), "");
    return reply.body.value("count", int64_t{-1});
  }
  // The catalog id GoCo gave `name`, read through the contract API.
  std::string CatalogId(CatalogKind kind, const std::string& name) {
    auto client = GoCoClient::Create(BaseUrl(), kApiKey, clock_);
    EXPECT_TRUE(client.ok());
    auto entries = (*client)->ListCatalog(kind);
    EXPECT_TRUE(entries.ok()) << entries.status();
    for (const CatalogEntry& entry : *entries) {
      if (entry.name == name) return entry.id;
    }
    return "";
  }

  WriteRequest Hire(int64_t application_id = 2001) {
    WriteRequest request;
    auto* hire = request.mutable_new_hire();
    hire->set_connection_id("acme");
    hire->set_candidate_id(1001);
    hire->set_application_id(application_id);
    hire->set_first_name("Ada");
    hire->set_last_name("Lovelace");
    hire->set_personal_email("ada@example.com");
    hire->set_personal_phone("+1 555 0100");
    hire->set_start_date("2025-03-03");
    hire->set_department("Technology");
    hire->set_location("New York City");
    hire->set_job_title("Software Engineer");
    hire->set_employment_type("Full-Time");
    return request;
  }
  WriteResponse MustWrite(const WriteRequest& request) {
    auto response = writer_->Write(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : WriteResponse();
  }

  static TempDir* dir_;
  static int port_;
  static Process* sandbox_;
  std::unique_ptr<TempDir> ledger_dir_;
  std::unique_ptr<Ledger> ledger_;
  std::shared_ptr<RecordingClock> clock_;
  AttachmentFetcher fetcher_;
  std::unique_ptr<Writer> writer_;
};

TempDir* WriterTest::dir_ = nullptr;
int WriterTest::port_ = 0;
Process* WriterTest::sandbox_ = nullptr;

TEST_F(WriterTest, CreatesTheEmployeeWithAllFieldsAndCatalogIds) {
  WriteResponse response = MustWrite(Hire());
  ASSERT_EQ(response.outcome(), WriteResponse::CREATED) << response.reason();
  EXPECT_FALSE(response.resumed());
  EXPECT_EQ(response.problems_size(), 0);
  Json employees = Employees();
  ASSERT_EQ(employees.size(), 1u) << employees.dump();
  const Json& employee = employees[0];
  EXPECT_EQ(employee["id"], response.employee_id());
  EXPECT_EQ(employee["first_name"], "Ada");
  EXPECT_EQ(employee["last_name"], "Lovelace");
  EXPECT_EQ(employee["personal_email"], "ada@example.com");
  EXPECT_EQ(employee["personal_phone"], "+1 555 0100");
  EXPECT_EQ(employee["start_date"], "2025-03-03");
  EXPECT_EQ(employee["source"], "greenhouse");
  EXPECT_EQ(employee["status"], "incomplete");
  EXPECT_EQ(employee["department_id"], CatalogId(CatalogKind::kDepartment, "Technology"));
  EXPECT_EQ(employee["location_id"], CatalogId(CatalogKind::kLocation, "New York City"));
  EXPECT_EQ(employee["job_title_id"], CatalogId(CatalogKind::kJobTitle, "Software Engineer"));
  EXPECT_EQ(employee["employment_type_id"], CatalogId(CatalogKind::kEmploymentType, "Full-Time"));
  EXPECT_FALSE(employee["department_id"].get<std::string>().empty());
  EXPECT_EQ(employee["external_ids"]["greenhouse_candidate_id"], "1001");
  EXPECT_EQ(employee["external_ids"]["greenhouse_application_id"], "2001");
}

TEST_F(WriterTest, ValueGoCoLacksIsLeftOutWithAWarningAndTheCatalogIsRefreshedOnce) {
  WriteRequest first = Hire(2001);
  first.mutable_new_hire()->set_department("Robotics");
  WriteResponse response = MustWrite(first);
  ASSERT_EQ(response.outcome(), WriteResponse::CREATED) << response.reason();
  ASSERT_EQ(response.problems_size(), 1);
  EXPECT_EQ(response.problems(0).code(), "department_not_in_goco");
  EXPECT_EQ(response.problems(0).severity(), hiresync::v1::Problem::WARNING);
  EXPECT_EQ(response.problems(0).value(), "Robotics");
  EXPECT_NE(response.problems(0).message().find("Department 'Robotics' does not exist in GoCo"),
            std::string::npos);
  Json employees = Employees();
  ASSERT_EQ(employees.size(), 1u);
  EXPECT_TRUE(!employees[0].contains("department_id") || employees[0]["department_id"].is_null() ||
              employees[0]["department_id"] == "")
      << employees[0].dump();
  // The list was fetched just now: no second fetch for the missing name.
  EXPECT_EQ(Requests("GET", "/departments"), 1);

  // The admin adds it in GoCo: the cached list lacks it, the one refresh finds it.
  SetCatalog({"Technology", "Sales", "Robotics"}, {"New York City"}, {"Software Engineer"},
             {"Full-Time"});
  WriteRequest second = Hire(2002);
  second.mutable_new_hire()->set_candidate_id(1002);
  second.mutable_new_hire()->set_first_name("Grace");
  second.mutable_new_hire()->set_last_name("Hopper");
  second.mutable_new_hire()->set_department("Robotics");
  WriteResponse again = MustWrite(second);
  ASSERT_EQ(again.outcome(), WriteResponse::CREATED) << again.reason();
  EXPECT_EQ(again.problems_size(), 0);
  EXPECT_EQ(Requests("GET", "/departments"), 2);
  employees = Employees();
  ASSERT_EQ(employees.size(), 2u);
  EXPECT_EQ(employees[1]["department_id"], CatalogId(CatalogKind::kDepartment, "Robotics"));
}

TEST_F(WriterTest, SameNameIsADuplicateAndNothingIsPosted) {
  Reply seeded = Sandbox("POST", "/_sandbox/employees",
                         R"({"first_name": "Ada", "last_name": "Lovelace", "status": "active"})");
  ASSERT_EQ(seeded.status, 201) << seeded.body.dump();
  std::string existing = seeded.body["id"];
  WriteResponse response = MustWrite(Hire());
  EXPECT_EQ(response.outcome(), WriteResponse::DUPLICATE);
  EXPECT_EQ(response.employee_id(), existing);
  EXPECT_NE(response.reason().find(existing), std::string::npos) << response.reason();
  EXPECT_EQ(Requests("POST", "/employees"), 0);
  EXPECT_EQ(Employees().size(), 1u);

  WriteRequest forced = Hire();
  forced.set_allow_duplicate_name(true);
  WriteResponse created = MustWrite(forced);
  EXPECT_EQ(created.outcome(), WriteResponse::CREATED) << created.reason();
  EXPECT_NE(created.employee_id(), existing);
  EXPECT_EQ(Employees().size(), 2u);
}

TEST_F(WriterTest, NameAndEmailRuleIgnoresSameNameWithOtherEmail) {
  MakeWriter(hiresync::v1::MappingOptions::FIRST_LAST_NAME_AND_EMAIL);
  Reply seeded = Sandbox(
      "POST", "/_sandbox/employees",
      R"({"first_name": "Ada", "last_name": "Lovelace", "personal_email": "other@example.com"})");
  ASSERT_EQ(seeded.status, 201) << seeded.body.dump();
  WriteResponse response = MustWrite(Hire());
  EXPECT_EQ(response.outcome(), WriteResponse::CREATED) << response.reason();
  EXPECT_EQ(Employees().size(), 2u);
}

TEST_F(WriterTest, LostAnswerIsFoundByExternalIdAndResumed) {
  Fault({{"method", "POST"}, {"path", "/employees"}, {"drop_after_commit", true}, {"count", 1}});
  WriteResponse first = MustWrite(Hire());
  EXPECT_EQ(first.outcome(), WriteResponse::RETRY_LATER) << first.reason();
  ASSERT_EQ(Employees().size(), 1u);

  // A fresh ledger: the create's answer never arrived, so only GoCo knows.
  WriteResponse second = MustWrite(Hire());
  ASSERT_EQ(second.outcome(), WriteResponse::CREATED) << second.reason();
  EXPECT_TRUE(second.resumed());
  Json employees = Employees();
  ASSERT_EQ(employees.size(), 1u);
  EXPECT_EQ(second.employee_id(), employees[0]["id"]);
  EXPECT_EQ(Requests("POST", "/employees"), 1);

  // From now on the ledger answers without looking up names.
  int64_t gets_before = Requests("GET", "/employees");
  WriteResponse third = MustWrite(Hire());
  EXPECT_EQ(third.outcome(), WriteResponse::CREATED);
  EXPECT_TRUE(third.resumed());
  EXPECT_EQ(third.employee_id(), second.employee_id());
  EXPECT_EQ(Requests("GET", "/employees"), gets_before);
}

TEST_F(WriterTest, ServerErrorsAskForRetryThenOneEmployeeIsCreated) {
  Fault({{"method", "POST"}, {"path", "/employees"}, {"status", 503}, {"count", 2}});
  WriteResponse first = MustWrite(Hire());
  EXPECT_EQ(first.outcome(), WriteResponse::RETRY_LATER);
  EXPECT_NE(first.reason().find("503"), std::string::npos) << first.reason();
  EXPECT_EQ(MustWrite(Hire()).outcome(), WriteResponse::RETRY_LATER);
  WriteResponse third = MustWrite(Hire());
  ASSERT_EQ(third.outcome(), WriteResponse::CREATED) << third.reason();
  EXPECT_EQ(Employees().size(), 1u);
  EXPECT_EQ(Requests("POST", "/employees"), 3);
}

TEST_F(WriterTest, ValidationErrorIsRejectedWithGoCosMessage) {
  WriteRequest request = Hire();
  request.mutable_new_hire()->set_start_date("03/03/2025");
  WriteResponse response = MustWrite(request);
  ASSERT_EQ(response.outcome(), WriteResponse::REJECTED) << response.reason();
  EXPECT_NE(response.reason().find("422"), std::string::npos) << response.reason();
  EXPECT_NE(response.reason().find("start_date"), std::string::npos) << response.reason();
  bool field_named = false;
  for (const auto& problem : response.problems()) {
    field_named |=
        problem.field() == "start_date" && problem.severity() == hiresync::v1::Problem::ERROR;
  }
  EXPECT_TRUE(field_named);
  EXPECT_EQ(Employees().size(), 0u);
}

TEST_F(WriterTest, RevokedKeyKeepsTheHireAndAsksTheAdmin) {
  ASSERT_EQ(Sandbox("PUT", "/_sandbox/api-keys", R"({"keys": ["another-key"]})").status, 200);
  WriteResponse response = MustWrite(Hire());
  EXPECT_EQ(response.outcome(), WriteResponse::RETRY_LATER);
  EXPECT_EQ(response.retry_after_seconds(), 300);
  EXPECT_TRUE(response.credentials_rejected());
  EXPECT_NE(response.reason().find("GoCo refused the API key (401)"), std::string::npos)
      << response.reason();
  EXPECT_NE(response.reason().find("update the connection's GoCo API key"), std::string::npos);
}

TEST_F(WriterTest, IdempotencyKeyIsStableAndReplaysTheSameEmployee) {
  EXPECT_EQ(IdempotencyKey("acme", 2001), "hiresync-acme-app-2001");
  EXPECT_EQ(IdempotencyKey("acme", 2001), IdempotencyKey("acme", 2001));
  EXPECT_NE(IdempotencyKey("acme", 2001), IdempotencyKey("acme", 2002));
  auto client = GoCoClient::Create(BaseUrl(), kApiKey, clock_);
  ASSERT_TRUE(client.ok());
  EmployeeDraft draft;
  draft.first_name = "Ada";
  draft.last_name = "Lovelace";
  auto first = (*client)->CreateEmployee(draft, IdempotencyKey("acme", 2001));
  auto replay = (*client)->CreateEmployee(draft, IdempotencyKey("acme", 2001));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(first->id, replay->id);
  draft.personal_phone = "+1 555 0199";
  auto other = (*client)->CreateEmployee(draft, IdempotencyKey("acme", 2001));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(GoCoError::Of(other.status())->http_status, 409);
  EXPECT_EQ(Employees().size(), 1u);
}

TEST_F(WriterTest, ChangedBodyUnderTheSameKeyResumesTheOwnCreate) {
  WriteRequest request = Hire();
  request.mutable_new_hire()->set_department("Robotics");
  ASSERT_EQ(MustWrite(request).outcome(), WriteResponse::CREATED);
  // The ledger is lost and GoCo gained the department: the body differs, GoCo answers 409,
  // and the writer finds its own create by the external id.
  ledger_dir_ = std::make_unique<TempDir>();
  ledger_ = std::move(*Ledger::Open(ledger_dir_->File("ledger.db")));
  MakeWriter(hiresync::v1::MappingOptions::FIRST_LAST_NAME);
  SetCatalog({"Technology", "Robotics"}, {"New York City"}, {"Software Engineer"}, {"Full-Time"});
  WriteRequest retry = Hire();
  retry.mutable_new_hire()->set_department("Robotics");
  retry.set_allow_duplicate_name(true);
  WriteResponse response = MustWrite(retry);
  EXPECT_EQ(response.outcome(), WriteResponse::CREATED) << response.reason();
  EXPECT_TRUE(response.resumed());
  EXPECT_EQ(Employees().size(), 1u);
}

TEST_F(WriterTest, DocumentsAreUploadedOnceWithTheirBytes) {
  AttachmentServer files;
  std::string resume = "%PDF-1.4\nAda's resume\n" + std::string(100000, 'r');
  std::string offer = "%PDF-1.4\nsigned offer\n";
  files.Put("resume.pdf", resume);
  files.Put("offer.pdf", offer);
  WriteRequest request = Hire();
  auto* doc = request.mutable_new_hire()->add_documents();
  doc->set_filename("resume.pdf");
  doc->set_url(files.Url("/files/resume.pdf"));
  doc->set_category("resume");
  doc = request.mutable_new_hire()->add_documents();
  doc->set_filename("offer.pdf");
  doc->set_url(files.Url("/files/offer.pdf"));
  doc->set_category("signed_offer_letter");

  WriteResponse response = MustWrite(request);
  ASSERT_EQ(response.outcome(), WriteResponse::CREATED) << response.reason();
  EXPECT_EQ(response.documents_uploaded(), 2);
  EXPECT_FALSE(files.credentials_seen());
  Json employees = Employees();
  ASSERT_EQ(employees.size(), 1u);
  Json documents = employees[0]["documents"];
  ASSERT_EQ(documents.size(), 2u) << documents.dump();
  EXPECT_EQ(documents[0]["filename"], "resume.pdf");
  EXPECT_EQ(documents[0]["size_bytes"], resume.size());
  EXPECT_EQ(documents[0]["sha256"], crypto::Sha256Hex(resume));
  EXPECT_EQ(documents[0]["category"], "resume");
  EXPECT_EQ(documents[1]["sha256"], crypto::Sha256Hex(offer));
  EXPECT_EQ(documents[1]["category"], "signed_offer_letter");

  WriteResponse again = MustWrite(request);
  EXPECT_EQ(again.outcome(), WriteResponse::CREATED);
  EXPECT_TRUE(again.resumed());
  EXPECT_EQ(again.documents_uploaded(), 0);
  EXPECT_EQ(Requests("POST", "/employees/*/documents"), 2);
  EXPECT_EQ(Employees()[0]["documents"].size(), 2u);
}

TEST_F(WriterTest, UploadFailureIsRetriedAndSkipsWhatIsThere) {
  AttachmentServer files;
  files.Put("a.pdf", "first document");
  files.Put("b.pdf", "second document");
  WriteRequest request = Hire();
  for (std::string name : {"a.pdf", "b.pdf"}) {
    auto* doc = request.mutable_new_hire()->add_documents();
    doc->set_filename(name);
    doc->set_url(files.Url("/files/" + name));
    doc->set_category("other");
  }
  // The first upload meets a 503 once.
  Fault({{"method", "POST"}, {"path", "/employees/*/documents"}, {"status", 503}, {"count", 1}});
  WriteResponse first = MustWrite(request);
  // The employee exists; the hire must come back for the documents.
  EXPECT_EQ(first.outcome(), WriteResponse::RETRY_LATER) << first.reason();
  EXPECT_FALSE(first.employee_id().empty());
  WriteResponse second = MustWrite(request);
  ASSERT_EQ(second.outcome(), WriteResponse::CREATED) << second.reason();
  EXPECT_TRUE(second.resumed());
  EXPECT_EQ(first.documents_uploaded() + second.documents_uploaded(), 2);
  int total_documents = 0;
  for (const Json& employee : Employees()) total_documents += employee["documents"].size();
  EXPECT_EQ(total_documents, 2);
}

TEST_F(WriterTest, ExpiredAttachmentIsAWarningAndTheEmployeeIsCreated) {
  AttachmentServer files;
  WriteRequest request = Hire();
  auto* doc = request.mutable_new_hire()->add_documents();
  doc->set_filename("resume.pdf");
  doc->set_url(files.Url("/expired/resume.pdf?X-Amz-Expires=604800"));
  doc->set_category("resume");
  WriteResponse response = MustWrite(request);
  ASSERT_EQ(response.outcome(), WriteResponse::CREATED) << response.reason();
  EXPECT_EQ(response.documents_uploaded(), 0);
  ASSERT_EQ(response.problems_size(), 1);
  EXPECT_EQ(response.problems(0).code(), "document_not_downloaded");
  EXPECT_EQ(response.problems(0).value(), "resume.pdf");
  EXPECT_NE(response.problems(0).message().find("expired"), std::string::npos);
  EXPECT_NE(response.problems(0).message().find("re-send the hire"), std::string::npos);
  EXPECT_EQ(Employees().size(), 1u);
}

TEST_F(WriterTest, DocumentGoCoRefusesIsAWarningAndTheOthersAreUploaded) {
  AttachmentServer files;
  files.Put("photo.png", "not allowed category");
  files.Put("resume.pdf", "the resume");
  WriteRequest request = Hire();
  auto* doc = request.mutable_new_hire()->add_documents();
  doc->set_filename("photo.png");
  doc->set_url(files.Url("/files/photo.png"));
  doc->set_category("headshot");  // not one of GoCo's categories: 422
  doc = request.mutable_new_hire()->add_documents();
  doc->set_filename("resume.pdf");
  doc->set_url(files.Url("/files/resume.pdf"));
  doc->set_category("resume");
  WriteResponse response = MustWrite(request);
  ASSERT_EQ(response.outcome(), WriteResponse::CREATED) << response.reason();
  EXPECT_EQ(response.documents_uploaded(), 1);
  ASSERT_EQ(response.problems_size(), 1);
  EXPECT_EQ(response.problems(0).code(), "document_not_uploaded");
  EXPECT_EQ(response.problems(0).value(), "photo.png");
  EXPECT_NE(response.problems(0).message().find("422"), std::string::npos)
      << response.problems(0).message();
  EXPECT_EQ(Employees()[0]["documents"].size(), 1u);
}

TEST_F(WriterTest, RateLimitedCreateCarriesRetryAfter) {
  Fault({{"method", "POST"},
         {"path", "/employees"},
         {"status", 429},
         {"retry_after_seconds", 42},
         {"count", 1}});
  WriteResponse response = MustWrite(Hire());
  EXPECT_EQ(response.outcome(), WriteResponse::RETRY_LATER);
  EXPECT_EQ(response.retry_after_seconds(), 42);
  EXPECT_NE(response.reason().find("429"), std::string::npos) << response.reason();
  EXPECT_EQ(Employees().size(), 0u);
}

// The value of an unlabelled series on this process's /metrics; -1 when absent.
double SeriesValue(const std::string& name) {
  std::string text = metrics::Serialize();
  size_t at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

TEST_F(WriterTest, ClientSlowsDownBeforeTheRateLimit) {
  Fault({{"rate_limit", {{"limit", 5}, {"window_seconds", 30}}}});
  auto client = GoCoClient::Create(BaseUrl(), kApiKey, clock_);
  ASSERT_TRUE(client.ok());
  double waits_before = std::max(0.0, SeriesValue("hiresync_goco_rate_limit_waits_total"));
  double seconds_before =
      std::max(0.0, SeriesValue("hiresync_goco_rate_limit_wait_seconds_total"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE((*client)->ListCatalog(CatalogKind::kDepartment).ok());
  }
  EXPECT_TRUE(clock_->sleeps().empty());
  // The 4th call leaves 1: the 5th waits for the window to reset first.
  ASSERT_TRUE((*client)->ListCatalog(CatalogKind::kDepartment).ok());
  ASSERT_TRUE((*client)->ListCatalog(CatalogKind::kDepartment).ok());
  std::vector<absl::Duration> sleeps = clock_->sleeps();
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_GT(sleeps[0], absl::ZeroDuration());
  EXPECT_LE(sleeps[0], absl::Seconds(31));
  EXPECT_EQ(SeriesValue("hiresync_goco_rate_limit_waits_total") - waits_before, 1);
  EXPECT_DOUBLE_EQ(SeriesValue("hiresync_goco_rate_limit_wait_seconds_total") - seconds_before,
                   absl::ToDoubleSeconds(sleeps[0]));
}

TEST_F(WriterTest, UnknownConnectionIsRejected) {
  WriteRequest request = Hire();
  request.mutable_new_hire()->set_connection_id("nobody");
  WriteResponse response = MustWrite(request);
  EXPECT_EQ(response.outcome(), WriteResponse::REJECTED);
  EXPECT_NE(response.reason().find("\"nobody\" is not configured"), std::string::npos);
  EXPECT_EQ(Requests("", "/employees"), 0);
}

TEST_F(WriterTest, RealBinaryWritesOverGrpc) {
  hiresync::testing::WriteFile(dir_->File("connections.json"),
                               ConfigJson(hiresync::v1::MappingOptions::FIRST_LAST_NAME));
  int grpc_port = FreePort();
  int admin_port = FreePort();
  auto process = Process::Start(
      hiresync::testing::BinDir() + "/hiresync-writer",
      {"--config", dir_->File("connections.json"), "--ledger", ledger_dir_->File("bin.db"),
       "--grpc_listen", absl::StrCat("127.0.0.1:", grpc_port), "--admin_listen_port",
       std::to_string(admin_port)},
      {}, ledger_dir_->File("writer.log"));
  ASSERT_TRUE(process.ok()) << process.status();
  ASSERT_TRUE(hiresync::testing::WaitForHttp(admin_port, "/readyz")) << (*process)->Log();

  WriteResponse response;
  grpc::Status status;
  {
    auto stub =
        hiresync::v1::Writer::NewStub(grpcutil::MakeChannel(absl::StrCat("127.0.0.1:", grpc_port)));
    auto context = grpcutil::ContextWithDeadline(absl::Seconds(10));
    status = stub->Write(context.get(), Hire(), &response);
  }
  ASSERT_TRUE(status.ok()) << status.error_message() << (*process)->Log();
  EXPECT_EQ(response.outcome(), WriteResponse::CREATED) << response.reason();
  EXPECT_EQ(Employees().size(), 1u);

  httplib::Client admin("127.0.0.1", admin_port);
  auto metrics = admin.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find(
                "hiresync_writer_outcomes_total{connection=\"acme\",outcome=\"created\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("route=\"POST /employees\""), std::string::npos);

  std::string log = (*process)->Log();
  EXPECT_EQ(log.find("ada@example.com"), std::string::npos);
  EXPECT_EQ(log.find(kApiKey), std::string::npos);

  (*process)->Signal(SIGTERM);
  EXPECT_EQ((*process)->Wait(), 0) << (*process)->Log();
  EXPECT_NE((*process)->Log().find("writer stopped"), std::string::npos);
}

TEST_F(WriterTest, RealBinaryRefusesABadConfig) {
  hiresync::testing::WriteFile(dir_->File("bad.json"), R"({"connections": [{"id": "Bad Id"}]})");
  auto process = Process::Start(
      hiresync::testing::BinDir() + "/hiresync-writer",
      {"--config", dir_->File("bad.json"), "--ledger", ledger_dir_->File("bad.db"), "--grpc_listen",
       absl::StrCat("127.0.0.1:", FreePort()), "--admin_listen_port", "0"},
      {}, ledger_dir_->File("bad.log"));
  ASSERT_TRUE(process.ok());
  EXPECT_EQ((*process)->Wait(), 2);
  EXPECT_NE((*process)->Log().find(".id"), std::string::npos) << (*process)->Log();
}

}  // namespace
}  // namespace hiresync::writer
