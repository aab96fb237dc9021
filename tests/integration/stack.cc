#include "tests/integration/stack.h"

#include <gtest/gtest.h>
#include <signal.h>

#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/store/inbox.h"
#include "httplib.h"

namespace hiresync::testing {

Stack::Stack(StackOptions options) : options_(std::move(options)) {
  goco_port = FreePort();
  greenhouse_port = FreePort();
  webhook_port = FreePort();
  ingress_admin = FreePort();
  mapper_admin = FreePort();
  writer_admin = FreePort();
  ingress_grpc = FreePort();
  mapper_grpc = FreePort();
  writer_grpc = FreePort();
  inbox_location_ = options_.inbox_url.empty() ? dir_.File("inbox.db") : options_.inbox_url;
  notes_admin = FreePort();
  notes_grpc = FreePort();
  WriteFile(dir_.File("webhook-secret"), webhook_secret_ + "\n");
  if (!options_.admin_token.empty()) WriteFile(AdminTokenPath(), options_.admin_token + "\n");
  WriteFile(dir_.File("goco-key"), goco_api_key + "\n");
  WriteFile(dir_.File("harvest-client-id"), "demo-harvest-client\n");
  WriteFile(dir_.File("harvest-client-secret"), "demo-harvest-secret\n");
  nlohmann::json candidates = nlohmann::json::array();
  for (int i = 0; i < kSeededCandidates; ++i) {
    candidates.push_back({{"id", kFirstCandidateId + i}, {"first_name", "Candidate"},
                          {"last_name", std::to_string(i)}});
  }
  nlohmann::json seed = {
      {"users",
       {{{"id", kNoteAuthorId}, {"primary_email", "hr-admin@demo.test"}, {"first_name", "Harriet"},
         {"last_name", "Ray"}, {"site_admin", true}}}},
      {"oauth_clients",
       {{{"client_id", "demo-harvest-client"},
         {"client_secret_file", dir_.File("harvest-client-secret")},
         {"scopes",
          {"harvest:users:list", "harvest:notes:create", "harvest:notes:list",
           "harvest:candidates:list", "harvest:applications:list", "harvest:offers:list",
           "harvest:attachments:list"}}}}},
      {"candidates", candidates}};
  WriteFile(dir_.File("greenhouse-seed.json"), seed.dump(2));
  WriteConfig();
}

Stack::~Stack() {
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "---- stack logs ----\n%s\n", Logs().c_str());
  }
  ingress_.reset();
  notes_.reset();
  writer_.reset();
  mapper_.reset();
  greenhouse_.reset();
  goco_.reset();
}

nlohmann::json DemoConnection(const TempDir& dir, int greenhouse_port, int goco_port) {
  return {
      {"id", "demo"},
      {"webhook_secret", {{"file", dir.File("webhook-secret")}}},
      {"greenhouse",
       {{"harvest_client_id", {{"file", dir.File("harvest-client-id")}}},
        {"harvest_client_secret", {{"file", dir.File("harvest-client-secret")}}},
        {"note_author_email", "hr-admin@demo.test"},
        {"note_author_user_id", kNoteAuthorId},
        {"harvest_base_url", absl::StrCat("http://127.0.0.1:", greenhouse_port, "/v3")},
        {"token_url", absl::StrCat("http://127.0.0.1:", greenhouse_port, "/token")}}},
      {"goco",
       {{"base_url", absl::StrCat("http://127.0.0.1:", goco_port, "/v1/companies/demo")},
        {"api_key", {{"file", dir.File("goco-key")}}}}}};
}

void Stack::WriteConfig() {
  nlohmann::json demo = DemoConnection(dir_, greenhouse_port, goco_port);
  demo["mapping"] = options_.demo_mapping;
  config_ = {{"connections", nlohmann::json::array({demo})}};
  for (const auto& extra : options_.extra_connections) config_["connections"].push_back(extra);
  WriteFile(ConfigPath(), config_.dump(2));
}

nlohmann::json Stack::Config() const { return config_; }

void Stack::ReloadConfig(const nlohmann::json& config) {
  config_ = config;
  WriteFile(ConfigPath(), config_.dump(2));
  for (Process* p : {ingress_.get(), writer_.get(), notes_.get()}) {
    if (p != nullptr) p->Signal(SIGHUP);
  }
}

std::unique_ptr<Process> Stack::Launch(const std::string& name, const std::string& binary,
                                       const std::vector<std::string>& args) {
  auto env = options_.env.find(name);
  auto process = Process::Start(BinDir() + "/" + binary, args,
                                env == options_.env.end() ? std::map<std::string, std::string>{}
                                                          : env->second,
                                dir_.File(name + ".log"));
  EXPECT_TRUE(process.ok()) << process.status();
  return process.ok() ? std::move(*process) : nullptr;
}

void Stack::StartWriter() {
  std::vector<std::string> args = {"--config", ConfigPath(), "--ledger", dir_.File("writer.db"),
                    absl::StrCat("--grpc_listen=127.0.0.1:", writer_grpc),
                    absl::StrCat("--admin_listen_port=", writer_admin)};
  if (options_.attachment_max_bytes > 0) {
    args.push_back(absl::StrCat("--attachment_max_bytes=", options_.attachment_max_bytes));
  }
  writer_ = Launch("writer", "hiresync-writer", args);
  ASSERT_TRUE(WaitForHttp(writer_admin, "/readyz")) << Logs();
}

void Stack::StartMapper() {
  mapper_ = Launch("mapper", "hiresync-mapper",
                   {absl::StrCat("--grpc_listen=127.0.0.1:", mapper_grpc),
                    absl::StrCat("--admin_listen_port=", mapper_admin)});
  ASSERT_TRUE(WaitForHttp(mapper_admin, "/readyz")) << Logs();
}

void Stack::StartNotes() {
  notes_ = Launch("notes", "hiresync-notes",
                  {"--config", ConfigPath(), "--ledger", dir_.File("notes.db"),
                   absl::StrCat("--grpc_listen=127.0.0.1:", notes_grpc),
                   absl::StrCat("--admin_listen_port=", notes_admin)});
  ASSERT_TRUE(WaitForHttp(notes_admin, "/readyz")) << Logs();
}

void Stack::StopNotes(int sig) {
  notes_->Signal(sig);
  notes_->Wait();
  notes_.reset();
}

void Stack::StartIngress() {
  std::vector<std::string> args = {"--config", ConfigPath(), "--inbox", inbox_location_,
                     absl::StrCat("--webhook_port=", webhook_port),
                     absl::StrCat("--grpc_listen=127.0.0.1:", ingress_grpc),
                     absl::StrCat("--admin_listen_port=", ingress_admin),
                     absl::StrCat("--mapper_addr=127.0.0.1:", mapper_grpc),
                     absl::StrCat("--writer_addr=127.0.0.1:", writer_grpc),
                     absl::StrCat("--retry_base_ms=", options_.retry_base_ms),
                     absl::StrCat("--retry_max_ms=", options_.retry_max_ms),
                     "--call_deadline_ms=5000"};
  if (options_.with_notes) args.push_back(absl::StrCat("--notes_addr=127.0.0.1:", notes_grpc));
  if (options_.lease_ms > 0) args.push_back(absl::StrCat("--lease_ms=", options_.lease_ms));
  if (!options_.admin_token.empty()) args.push_back("--admin_token_file=" + AdminTokenPath());
  if (options_.max_attempts > 0) {
    args.push_back(absl::StrCat("--max_attempts=", options_.max_attempts));
  }
  ingress_ = Launch("ingress", "hiresync-ingress", args);
  ASSERT_TRUE(WaitForHttp(ingress_admin, "/readyz")) << Logs();
}

void Stack::Start() {
  goco_ = Launch("goco", "goco-sandbox",
                 {"--host", "127.0.0.1", "--port", std::to_string(goco_port), "--company", "demo",
                  "--api-key-file", dir_.File("goco-key")});
  greenhouse_ = Launch("greenhouse", "greenhouse-sandbox",
                       {"serve", "--host", "127.0.0.1", "--port", std::to_string(greenhouse_port),
                        "--seed", dir_.File("greenhouse-seed.json")});
  StartMapper();
  ASSERT_TRUE(WaitForHttp(goco_port, "/_sandbox/healthz")) << Logs();
  ASSERT_TRUE(WaitForHttp(greenhouse_port, "/_sandbox/healthz")) << Logs();
  GoCoTest("PUT", "/_sandbox/catalog",
           {{"departments", {"Technology", "Sales"}},
            {"locations", {"New York City", "St. Louis"}},
            {"job_titles", {"Software Engineer"}},
            {"employment_types", {"Full-time", "Part-time"}}});
  if (options_.start_writer) StartWriter();
  if (options_.with_notes) StartNotes();
  StartIngress();
}

void Stack::StopIngress(int sig) {
  ingress_->Signal(sig);
  ingress_->Wait();
  ingress_.reset();
}

void Stack::StopWriter(int sig) {
  writer_->Signal(sig);
  writer_->Wait();
  writer_.reset();
}

Stack::Answer Stack::Post(int port, const std::string& path, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  httplib::Headers h;
  for (const auto& [k, v] : headers) h.emplace(k, v);
  auto res = client.Post(path.c_str(), h, body, "application/json");
  if (!res) return {0, ""};
  return {res->status, res->body};
}

Stack::Answer Stack::SendWebhook(const std::string& body, const std::string& event_id,
                                 const std::string& conn, const std::string& secret) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Signature",
       "sha256 " + crypto::HmacSha256Hex(secret.empty() ? webhook_secret_ : secret, body)}};
  if (!event_id.empty()) headers.emplace_back("Greenhouse-Event-ID", event_id);
  return Post(webhook_port, "/v1/webhooks/greenhouse/" + conn, body, headers);
}

std::string Stack::UploadAttachment(const std::string& name, const std::string& bytes) {
  httplib::Client client("127.0.0.1", greenhouse_port);
  auto put = client.Put(("/_sandbox/attachments/" + name).c_str(), bytes, "application/octet-stream");
  EXPECT_TRUE(put && put->status == 200);
  auto url = client.Post(("/_sandbox/attachments/" + name + "/url").c_str(), "{}", "application/json");
  EXPECT_TRUE(url && url->status == 200);
  return url ? nlohmann::json::parse(url->body)["url"].get<std::string>() : "";
}

std::string Stack::HireFixture() {
  std::string hire = ReadFile(FixturesDir() + "/hire_candidate.json");
  std::string placeholder = "https://prod-heroku.s3.amazonaws.com/...";
  auto at = hire.find(placeholder);
  EXPECT_NE(at, std::string::npos);
  std::string resume = ReadFile(std::string(HIRESYNC_SOURCE_DIR) + "/deploy/local/sample/resume.pdf");
  hire.replace(at, placeholder.size(), UploadAttachment("resume.pdf", resume));
  return hire;
}

nlohmann::json Stack::NumberedHire(int n) {
  auto hire = nlohmann::json::parse(HireFixture());
  auto& application = hire["payload"]["application"];
  application["id"] = kFirstApplicationId + n;
  auto& candidate = application["candidate"];
  candidate["id"] = kFirstCandidateId + n;
  candidate["first_name"] = absl::StrCat("Given", n);
  candidate["last_name"] = absl::StrCat("Family", n);
  return hire;
}

nlohmann::json Stack::CleanHire(int n) {
  auto hire = NumberedHire(n);
  auto& application = hire["payload"]["application"];
  application["candidate"]["phone_numbers"].push_back(
      {{"value", "646-555-0134"}, {"type", "mobile"}});
  application["jobs"][0]["offices"].erase(1);
  auto& offer_fields = application["offer"]["custom_fields"];
  offer_fields["job_title"] = {
      {"name", "Job Title"}, {"type", "short_text"}, {"value", "Software Engineer"}};
  offer_fields["employment_type"] = {
      {"name", "Employment Type"}, {"type", "single_select"}, {"value", "Full-time"}};
  return hire;
}

namespace {

// A call to a sandbox's test API; the test fails unless it answers 2xx.
nlohmann::json SandboxCall(int port, const std::string& method, const std::string& path,
                           const nlohmann::json& body) {
  httplib::Client client("127.0.0.1", port);
  httplib::Result res = method == "GET"      ? client.Get(path.c_str())
                        : method == "PUT"    ? client.Put(path.c_str(), body.dump(), "application/json")
                        : method == "DELETE" ? client.Delete(path.c_str())
                                             : client.Post(path.c_str(), body.dump(), "application/json");
  EXPECT_TRUE(res) << method << " " << path;
  if (!res) return nullptr;
  EXPECT_LT(res->status, 300) << method << " " << path << ": " << res->body;
  return nlohmann::json::parse(res->body, nullptr, false);
}

}  // namespace

nlohmann::json Stack::GoCoTest(const std::string& method, const std::string& path,
                               const nlohmann::json& body) {
  return SandboxCall(goco_port, method, path, body);
}

nlohmann::json Stack::GreenhouseTest(const std::string& method, const std::string& path,
                                     const nlohmann::json& body) {
  return SandboxCall(greenhouse_port, method, path, body);
}

nlohmann::json Stack::Notes(int64_t candidate_id) {
  return GreenhouseTest("GET", absl::StrCat("/_sandbox/notes?candidate_id=", candidate_id));
}

nlohmann::json Stack::GoCoApi(const std::string& path) {
  httplib::Client client("127.0.0.1", goco_port);
  auto res = client.Get(("/v1/companies/demo" + path).c_str(),
                        {{"Authorization", "Bearer " + goco_api_key}});
  EXPECT_TRUE(res && res->status == 200) << path;
  return res ? nlohmann::json::parse(res->body, nullptr, false) : nlohmann::json();
}

std::string Stack::CatalogName(const std::string& path, const std::string& id) {
  nlohmann::json catalog = GoCoApi(path);
  for (const auto& item : catalog["data"]) {
    if (item["id"] == id) return item["name"];
  }
  return "";
}

nlohmann::json Stack::Employees(const std::string& company) {
  return GoCoTest("GET", "/_sandbox/employees?company=" + company)["data"];
}

Stack::CtlResult Stack::Ctl(const std::vector<std::string>& args, bool with_token,
                            const std::map<std::string, std::string>& env) {
  std::vector<std::string> all = {absl::StrCat("--addr=127.0.0.1:", ingress_grpc)};
  if (with_token) all.push_back("--token_file=" + AdminTokenPath());
  all.insert(all.end(), args.begin(), args.end());
  static int runs = 0;
  std::string log = dir_.File(absl::StrCat("hiresyncctl-", ++runs, ".out"));
  auto process = Process::Start(BinDir() + "/hiresyncctl", all, env, log);
  EXPECT_TRUE(process.ok()) << process.status();
  if (!process.ok()) return {};
  CtlResult result;
  result.exit_code = (*process)->Wait(absl::Seconds(20));
  result.output = ReadFile(log);
  return result;
}

int64_t Stack::InboxCount(const std::string& state) {
  auto inbox = store::OpenInbox(inbox_location_);
  EXPECT_TRUE(inbox.ok()) << inbox.status();
  if (!inbox.ok()) return -1;
  auto count = (*inbox)->Count(state.empty() ? std::nullopt : store::ParseState(state));
  return count.ok() ? *count : -1;
}

bool Stack::WaitForDone(int64_t n, absl::Duration timeout) {
  return WaitFor([&] { return InboxCount("DONE") >= n || InboxCount("DEAD") > 0; }, timeout) &&
         InboxCount("DONE") == n;
}

std::string Stack::Logs() const {
  std::string out;
  for (const char* name : {"goco", "greenhouse", "mapper", "writer", "notes", "ingress"}) {
    out += absl::StrCat("==== ", name, "\n", ReadFile(dir_.File(std::string(name) + ".log")));
  }
  return out;
}

}  // namespace hiresync::testing
