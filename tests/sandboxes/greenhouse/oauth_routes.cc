#include "tests/sandboxes/greenhouse/oauth_routes.h"

#include <map>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace hiresync::greenhouse_sandbox {
namespace {

std::string PercentDecode(absl::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() && absl::ascii_isxdigit(in[i + 1]) &&
               absl::ascii_isxdigit(in[i + 2])) {
      out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

// application/x-www-form-urlencoded; a repeated field counts as malformed.
std::optional<std::map<std::string, std::string>> ParseForm(absl::string_view body) {
  std::map<std::string, std::string> out;
  for (absl::string_view pair : absl::StrSplit(body, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (!out.emplace(PercentDecode(kv.first), PercentDecode(kv.second)).second) return std::nullopt;
  }
  return out;
}

void InvalidClient(httplib::Response& res) {
  res.set_header("WWW-Authenticate", "Basic realm=\"greenhouse\"");
  ReplyJson(res, 401, {{"error", "invalid_client"}});
}

void InvalidRequest(httplib::Response& res, const std::string& description) {
  ReplyJson(res, 400, {{"error", "invalid_request"}, {"error_description", description}});
}

}  // namespace

void OAuthRoutes::Register(httplib::Server& server) {
  server.Post("/token", [this](const auto& req, auto& res) { HandleToken(req, res); });
}

void OAuthRoutes::HandleToken(const httplib::Request& req, httplib::Response& res) {
  std::optional<Fault> fault = context_->Admit(req);

  std::optional<OAuthClient> client;
  const std::string authorization = req.get_header_value("Authorization");
  if (authorization.size() > 6 && absl::EqualsIgnoreCase(authorization.substr(0, 6), "Basic ")) {
    std::string decoded;
    if (absl::Base64Unescape(absl::StripAsciiWhitespace(authorization.substr(6)), &decoded)) {
      std::pair<std::string, std::string> id_secret =
          absl::StrSplit(decoded, absl::MaxSplits(':', 1));
      client = context_->state().AuthenticateClient(id_secret.first, id_secret.second);
    }
  }
  if (fault && fault->status) {
    if (client) context_->ShowRateLimit(client->client_id, res);
    AnswerInjectedStatus(*fault->status,
                         {{"error", "server_error"},
                          {"error_description", "fault injected by POST /_sandbox/faults"}},
                         res);
    return;
  }
  if (!client) {
    InvalidClient(res);
    return;
  }
  if (!context_->ChargeRateLimit(client->client_id, res)) return;

  if (!absl::StartsWith(absl::AsciiStrToLower(req.get_header_value("Content-Type")),
                        "application/x-www-form-urlencoded")) {
    InvalidRequest(res,
                   "send the parameters as an application/x-www-form-urlencoded body: "
                   "grant_type=client_credentials&sub=<user id>");
    return;
  }
  std::optional<std::map<std::string, std::string>> form = ParseForm(req.body);
  if (!form) {
    InvalidRequest(res, "the form body repeats a parameter; send grant_type and sub once each");
    return;
  }
  auto grant = form->find("grant_type");
  if (grant == form->end() || grant->second != "client_credentials") {
    InvalidRequest(res, "grant_type must be client_credentials");
    return;
  }
  auto sub = form->find("sub");
  if (sub == form->end() || sub->second.empty()) {
    InvalidRequest(res, "sub is required: the id of the Greenhouse user the calls act as");
    return;
  }
  int64_t user_id = 0;
  if (!absl::SimpleAtoi(sub->second, &user_id) || !context_->state().HasUser(user_id)) {
    InvalidRequest(res, "sub must be the id of an existing Greenhouse user");
    return;
  }
  IssuedToken token = context_->state().IssueToken(*client, user_id);
  res.set_header("Cache-Control", "no-store");
  ReplyJson(res, 200,
            {{"access_token", token.access_token},
             {"token_type", "Bearer"},
             {"expires_in", token.expires_in}});
  if (fault && fault->drop_after_commit) DropConnection(req, res);
}

}  // namespace hiresync::greenhouse_sandbox
