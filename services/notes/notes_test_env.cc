#include "services/notes/notes_test_env.h"

#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace hiresync::notes::testenv {
namespace {

using hiresync::testing::BinDir;
using hiresync::testing::FreePort;
using hiresync::testing::Process;
using hiresync::testing::TempDir;
using hiresync::testing::WriteFile;

absl::Status Send(int port, const std::string& method, const std::string& path, const Json& body) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(10));
  httplib::Result result = method == "PUT" ? client.Put(path, body.dump(), "application/json")
                                           : client.Post(path, body.dump(), "application/json");
  if (!result) return absl::UnavailableError(absl::StrCat(method, " ", path, ": no answer"));
  if (result->status / 100 != 2) {
    return absl::InternalError(
        absl::StrCat(method, " ", path, " answered ", result->status, ": ", result->body));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Greenhouse>> Greenhouse::Start(const std::string& log_path) {
  auto greenhouse = std::make_unique<Greenhouse>();
  greenhouse->port_ = FreePort();
  auto process = Process::Start(
      BinDir() + "/greenhouse-sandbox",
      {"serve", "--host", "127.0.0.1", "--port", std::to_string(greenhouse->port_)}, {}, log_path);
  if (!process.ok()) return process.status();
  greenhouse->process_ = std::move(*process);
  if (!hiresync::testing::WaitForHttp(greenhouse->port_, "/_sandbox/healthz")) {
    return absl::UnavailableError(
        absl::StrCat("greenhouse-sandbox did not start: ", greenhouse->process_->Log()));
  }
  std::vector<std::string> all_scopes = {"harvest:users:list", "harvest:notes:create",
                                         "harvest:notes:list", "harvest:candidates:list"};
  Json seed = {
      {"users",
       {{{"id", kAuthorId},
         {"primary_email", kAuthorEmail},
         {"first_name", "Harriet"},
         {"last_name", "Ray"},
         {"site_admin", true}},
        {{"id", kOtherUserId},
         {"primary_email", kOtherEmail},
         {"first_name", "Otto"},
         {"last_name", "Berg"},
         {"site_admin", false}}}},
      {"oauth_clients",
       {{{"client_id", kClientId}, {"client_secret", kClientSecret}, {"scopes", all_scopes}},
        {{"client_id", kReadOnlyClientId},
         {"client_secret", kReadOnlySecret},
         {"scopes", {"harvest:users:list", "harvest:notes:list"}}}}},
      {"candidates", {{{"id", kCandidateId}, {"first_name", "Johnny"}, {"last_name", "Smith"}}}},
      {"rate_limit", {{"limit", 500}, {"window_seconds", 30}}},
  };
  if (absl::Status status = greenhouse->Seed(seed); !status.ok()) return status;
  return greenhouse;
}

std::string Greenhouse::BaseUrl() const { return absl::StrCat("http://127.0.0.1:", port_, "/v3"); }
std::string Greenhouse::TokenUrl() const {
  return absl::StrCat("http://127.0.0.1:", port_, "/token");
}

absl::Status Greenhouse::Seed(const Json& seed) {
  return Send(port_, "PUT", "/_sandbox/seed", seed);
}
absl::Status Greenhouse::Fault(const Json& fault) {
  return Send(port_, "POST", "/_sandbox/faults", fault);
}

int Greenhouse::Count(const std::string& method, const std::string& path) {
  httplib::Client client("127.0.0.1", port_);
  auto result = client.Get(absl::StrCat("/_sandbox/requests?method=", method, "&path=", path));
  if (!result || result->status != 200) return -1;
  Json body = Json::parse(result->body, nullptr, false);
  return body.is_object() ? body.value("count", -1) : -1;
}

Json Greenhouse::Notes(int64_t candidate_id) {
  httplib::Client client("127.0.0.1", port_);
  auto result = client.Get(absl::StrCat("/_sandbox/notes?candidate_id=", candidate_id));
  if (!result || result->status != 200) return Json();
  return Json::parse(result->body, nullptr, false);
}

absl::StatusOr<std::unique_ptr<GoCo>> GoCo::Start(const TempDir& dir) {
  auto goco = std::make_unique<GoCo>();
  goco->port_ = FreePort();
  WriteFile(dir.File("goco-sandbox.key"), kGoCoKey);
  auto process =
      Process::Start(BinDir() + "/goco-sandbox",
                     {"--host", "127.0.0.1", "--port", std::to_string(goco->port_), "--company",
                      "demo", "--api-key-file", dir.File("goco-sandbox.key")},
                     {}, dir.File("goco-sandbox.log"));
  if (!process.ok()) return process.status();
  goco->process_ = std::move(*process);
  if (!hiresync::testing::WaitForHttp(goco->port_, "/_sandbox/healthz")) {
    return absl::UnavailableError(
        absl::StrCat("goco-sandbox did not start: ", goco->process_->Log()));
  }
  return goco;
}

std::string GoCo::BaseUrl() const {
  return absl::StrCat("http://127.0.0.1:", port_, "/v1/companies/demo");
}

std::string WriteConfig(const TempDir& dir, const Greenhouse& greenhouse,
                        const std::string& goco_base_url) {
  WriteFile(dir.File("webhook.secret"), "webhook-secret");
  WriteFile(dir.File("client_id"), kClientId);
  WriteFile(dir.File("client_secret"), kClientSecret);
  WriteFile(dir.File("bad_client_secret"), "not-the-secret");
  WriteFile(dir.File("read_only_id"), kReadOnlyClientId);
  WriteFile(dir.File("read_only_secret"), kReadOnlySecret);
  WriteFile(dir.File("goco.key"), kGoCoKey);
  WriteFile(dir.File("bad_goco.key"), "revoked-goco-key");

  auto connection = [&](const std::string& id) {
    return Json{
        {"id", id},
        {"webhook_secret", {{"file", "webhook.secret"}}},
        {"greenhouse",
         {{"harvest_client_id", {{"file", "client_id"}}},
          {"harvest_client_secret", {{"file", "client_secret"}}},
          {"note_author_email", kAuthorEmail},
          {"note_author_user_id", kAuthorId},
          {"harvest_base_url", greenhouse.BaseUrl()},
          {"token_url", greenhouse.TokenUrl()}}},
        {"goco", {{"base_url", goco_base_url}, {"api_key", {{"file", "goco.key"}}}}},
    };
  };
  Json demo = connection("demo");
  demo["mapping"] = {{"note_visibility", "PUBLIC"}};
  Json private_notes = connection("private_notes");
  private_notes["mapping"] = {{"note_visibility", "PRIVATE"}};
  Json no_harvest = connection("no_harvest");
  no_harvest["greenhouse"].erase("harvest_client_id");
  no_harvest["greenhouse"].erase("harvest_client_secret");
  Json bad_secret = connection("bad_secret");
  bad_secret["greenhouse"]["harvest_client_secret"] = {{"file", "bad_client_secret"}};
  Json other_author = connection("other_author");
  other_author["greenhouse"]["note_author_email"] = kOtherEmail;
  Json unknown_author = connection("unknown_author");
  unknown_author["greenhouse"]["note_author_email"] = "nobody@acme.test";
  Json read_only = connection("read_only");
  read_only["greenhouse"]["harvest_client_id"] = {{"file", "read_only_id"}};
  read_only["greenhouse"]["harvest_client_secret"] = {{"file", "read_only_secret"}};
  Json bad_goco_key = connection("bad_goco_key");
  bad_goco_key["goco"]["api_key"] = {{"file", "bad_goco.key"}};
  Json no_author_id = connection("no_author_id");
  no_author_id["greenhouse"].erase("note_author_user_id");

  Json config = {{"connections",
                  {demo, private_notes, no_harvest, bad_secret, other_author, unknown_author,
                   read_only, bad_goco_key, no_author_id}}};
  std::string path = dir.File("connections.json");
  WriteFile(path, config.dump(2));
  return path;
}

}  // namespace hiresync::notes::testenv
