#include "services/notes/notes_test_env.h"

#include "absl/strings/str_cat.h"
#include "tests/support/http.h"
#include "tests/support/sandbox.h"

namespace hiresync::notes::testenv {
namespace {

using hiresync::testing::HttpCall;
using hiresync::testing::HttpReply;
using hiresync::testing::StartSandbox;
using hiresync::testing::TempDir;
using hiresync::testing::WriteFile;

absl::Status Send(int port, const std::string& method, const std::string& path, const Json& body) {
  HttpReply reply = HttpCall(port, method, path, body.dump());
  if (reply.status == 0)
    return absl::UnavailableError(absl::StrCat(method, " ", path, ": no answer"));
  if (reply.status / 100 != 2) {
    return absl::InternalError(
        absl::StrCat(method, " ", path, " answered ", reply.status, ": ", reply.body));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Greenhouse>> Greenhouse::Start(const std::string& log_path) {
  auto sandbox = StartSandbox("greenhouse-sandbox", {"serve"}, log_path);
  if (!sandbox.ok()) return sandbox.status();
  auto greenhouse = std::make_unique<Greenhouse>();
  greenhouse->port_ = sandbox->port;
  greenhouse->process_ = std::move(sandbox->process);
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
  HttpReply reply =
      HttpCall(port_, "GET", absl::StrCat("/_sandbox/requests?method=", method, "&path=", path));
  if (reply.status != 200) return -1;
  Json body = Json::parse(reply.body, nullptr, false);
  return body.is_object() ? body.value("count", -1) : -1;
}

Json Greenhouse::Notes(int64_t candidate_id) {
  HttpReply reply =
      HttpCall(port_, "GET", absl::StrCat("/_sandbox/notes?candidate_id=", candidate_id));
  if (reply.status != 200) return Json();
  return Json::parse(reply.body, nullptr, false);
}

absl::StatusOr<std::unique_ptr<GoCo>> GoCo::Start(const TempDir& dir) {
  WriteFile(dir.File("goco-sandbox.key"), kGoCoKey);
  auto sandbox = StartSandbox("goco-sandbox",
                              {"--company", "demo", "--api-key-file", dir.File("goco-sandbox.key")},
                              dir.File("goco-sandbox.log"));
  if (!sandbox.ok()) return sandbox.status();
  auto goco = std::make_unique<GoCo>();
  goco->port_ = sandbox->port;
  goco->process_ = std::move(sandbox->process);
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
