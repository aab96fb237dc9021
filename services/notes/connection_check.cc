#include "services/notes/connection_check.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/http_client/client_setup.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "services/notes/note_poster.h"

namespace hiresync::notes {
namespace {

// GET <base_url>/departments with the connection's GoCo API key: the cheapest call that
// proves the key and the company URL.
CheckResult CheckGoCo(const config::Connection& connection, const HarvestOptions& options) {
  CheckResult result;
  result.name = "goco api key";
  const std::string& base_url = connection.proto.goco().base_url();
  size_t scheme_end = base_url.find("://");
  size_t path_start =
      scheme_end == std::string::npos ? std::string::npos : base_url.find('/', scheme_end + 3);
  std::string origin = base_url.substr(0, path_start);
  std::string prefix = path_start == std::string::npos ? "" : base_url.substr(path_start);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  httplib::Client http(origin);
  if (scheme_end == std::string::npos || !http.is_valid()) {
    result.detail =
        absl::StrCat("goco.base_url \"", base_url,
                     "\" cannot be used: write it as https://<host>/v1/companies/<name>");
    return result;
  }
  auto micros = [](absl::Duration d) {
    return std::chrono::microseconds(absl::ToInt64Microseconds(d));
  };
  http.set_connection_timeout(micros(options.connect_timeout));
  http.set_read_timeout(micros(options.read_timeout));
  http.set_write_timeout(micros(options.write_timeout));
  http.set_bearer_token_auth(connection.goco_api_key.c_str());
  http_client::VerifyServer(http, options.ca_bundle);
  httplib::Result answer = http.Get(prefix + "/departments");
  if (!answer) {
    if (auto tls =
            http_client::TlsFailure(http, answer.error(), "GoCo", origin, options.ca_bundle)) {
      result.detail = *tls;
      return result;
    }
    result.detail = absl::StrCat("GoCo could not be reached at ", base_url, " (",
                                 httplib::to_string(answer.error()),
                                 "): check goco.base_url and the network path to GoCo");
    return result;
  }
  int status = answer->status;
  if (status == 200) {
    nlohmann::json body = nlohmann::json::parse(answer->body, nullptr, false);
    size_t count = body.is_object() && body.contains("data") && body["data"].is_array()
                       ? body["data"].size()
                       : 0;
    result.ok = true;
    result.detail = absl::StrCat("GoCo accepted the API key (", count, " departments)");
    return result;
  }
  if (status == 401 || status == 403) {
    result.detail = absl::StrCat(
        "GoCo refused the API key (", status,
        "): generate a new API key in GoCo and put it where goco.api_key points (file or "
        "environment variable), then restart the services");
    return result;
  }
  if (status == 404) {
    result.detail = absl::StrCat("GoCo answered 404 for ", base_url,
                                 "/departments: check goco.base_url (the company's URL name)");
    return result;
  }
  result.detail =
      absl::StrCat("GoCo answered ", status, " for ", base_url,
                   "/departments: try again later; if it persists, check GoCo's status");
  return result;
}

}  // namespace

std::vector<CheckResult> CheckConnection(const config::Connection& connection,
                                         std::shared_ptr<time::Clock> clock,
                                         HarvestOptions options) {
  std::vector<CheckResult> results;
  HarvestSettings settings = SettingsFor(connection);
  absl::StatusOr<std::unique_ptr<HarvestClient>> client =
      HarvestClient::Create(settings, std::move(clock), options);
  if (!client.ok()) {
    results.push_back({"harvest credentials", false, std::string(client.status().message())});
  } else {
    absl::Status token = (*client)->CheckToken();
    results.push_back(
        {"harvest token", token.ok(),
         token.ok() ? absl::StrCat("Greenhouse issued a token for user ", settings.author_user_id)
                    : std::string(token.message())});
    if (!token.ok()) {
      results.push_back({"note author", false, "not checked: fix the harvest token first"});
    } else {
      absl::Status author = (*client)->VerifyAuthor();
      std::string ok_detail =
          settings.author_email.empty()
              ? absl::StrCat("user ", settings.author_user_id,
                             " (greenhouse.note_author_email is not set, so it is not compared)")
              : absl::StrCat("user ", settings.author_user_id,
                             " is the user with greenhouse.note_author_email");
      results.push_back(
          {"note author", author.ok(), author.ok() ? ok_detail : std::string(author.message())});
    }
  }
  results.push_back(CheckGoCo(connection, options));
  return results;
}

std::string FormatCheck(const CheckResult& result) {
  return absl::StrCat(result.ok ? "OK   " : "FAIL ", result.name, ": ", result.detail);
}

}  // namespace hiresync::notes
