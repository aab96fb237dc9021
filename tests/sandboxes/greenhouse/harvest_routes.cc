#include "tests/sandboxes/greenhouse/harvest_routes.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tests/sandboxes/greenhouse/attachment_routes.h"

namespace hiresync::greenhouse_sandbox {
namespace {

using nlohmann::json;
using ApiError = HarvestRoutes::ApiError;
using Params = HarvestRoutes::Params;

ApiError Message(int status, const std::string& message) {
  return ApiError{status, json{{"message", message}}};
}

ApiError ValidationFailed(const std::vector<FieldError>& errors) {
  json list = json::array();
  for (const FieldError& error : errors) {
    list.push_back({{"field", error.field}, {"message", error.message}});
  }
  return ApiError{422, json{{"message", "Validation failed"}, {"errors", list}}};
}

void Reply(const ApiError& error, httplib::Response& res) {
  ReplyJson(res, error.status, error.body);
}

// "1,2,3"; an absent parameter is no filter.
std::optional<ApiError> ParseIds(const Params& params, const std::string& name, IdSet* out) {
  auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  std::set<int64_t> ids;
  size_t listed = 0;
  for (absl::string_view part : absl::StrSplit(it->second, ',')) {
    int64_t id = 0;
    if (!absl::SimpleAtoi(part, &id) || id < 0) {
      return Message(400, absl::StrCat(name, " must be comma-separated integer ids, e.g. ", name,
                                       "=1,2; got '", it->second, "'"));
    }
    ids.insert(id);
    ++listed;
  }
  if (name == "ids" && listed > kMaxIdsPerRequest) {
    return ValidationFailed(
        {{name, absl::StrCat("at most ", kMaxIdsPerRequest, " ids per request; got ", listed)}});
  }
  *out = std::move(ids);
  return std::nullopt;
}

std::optional<std::string> BearerToken(const httplib::Request& req) {
  const std::string header = req.get_header_value("Authorization");
  if (header.size() <= 7 || !absl::EqualsIgnoreCase(header.substr(0, 7), "Bearer ")) {
    return std::nullopt;
  }
  std::string token(absl::StripAsciiWhitespace(header.substr(7)));
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace

void HarvestRoutes::Register(httplib::Server& server) {
  HarvestState& state = context_->state();
  std::vector<ListEndpoint> lists = {
      {"/v3/users",
       "harvest:users:list",
       {"primary_email"},
       [&state](const Params& params, json* out) -> std::optional<ApiError> {
         auto email = params.find("primary_email");
         *out = state.Users(email == params.end() ? std::nullopt
                                                  : std::optional<std::string>(email->second));
         return std::nullopt;
       }},
      {"/v3/candidates",
       "harvest:candidates:list",
       {"ids"},
       [&state](const Params& params, json* out) -> std::optional<ApiError> {
         IdSet ids;
         if (auto error = ParseIds(params, "ids", &ids)) return error;
         *out = state.Candidates(ids);
         return std::nullopt;
       }},
      {"/v3/applications",
       "harvest:applications:list",
       {"candidate_ids"},
       [&state](const Params& params, json* out) -> std::optional<ApiError> {
         IdSet ids;
         if (auto error = ParseIds(params, "candidate_ids", &ids)) return error;
         *out = state.Applications(ids);
         return std::nullopt;
       }},
      {"/v3/offers",
       "harvest:offers:list",
       {"application_ids", "current_only"},
       [&state](const Params& params, json* out) -> std::optional<ApiError> {
         IdSet ids;
         if (auto error = ParseIds(params, "application_ids", &ids)) return error;
         bool current_only = false;
         if (auto it = params.find("current_only"); it != params.end()) {
           if (it->second != "true" && it->second != "false") {
             return Message(400, "current_only must be true or false");
           }
           current_only = it->second == "true";
         }
         *out = state.Offers(ids, current_only);
         return std::nullopt;
       }},
      {"/v3/attachments",
       "harvest:attachments:list",
       {"candidate_ids"},
       [this](const Params& params, json* out) { return AttachmentsWithUrls(params, out); }},
      {"/v3/notes",
       "harvest:notes:list",
       {"candidate_ids"},
       [&state](const Params& params, json* out) -> std::optional<ApiError> {
         IdSet ids;
         if (auto error = ParseIds(params, "candidate_ids", &ids)) return error;
         *out = state.Notes(ids);
         return std::nullopt;
       }},
  };
  for (ListEndpoint& endpoint : lists) {
    const std::string path = endpoint.path;
    server.Get(path, [this, endpoint = std::move(endpoint)](const auto& req, auto& res) {
      HandleList(endpoint, req, res);
    });
  }
  server.Post("/v3/notes", [this](const auto& req, auto& res) { HandleCreateNote(req, res); });
}

std::optional<TokenGrant> HarvestRoutes::Gate(const httplib::Request& req, httplib::Response& res,
                                              const std::string& scope, bool read,
                                              std::optional<Fault>* fault) {
  *fault = context_->Admit(req);
  std::optional<TokenGrant> grant;
  if (std::optional<std::string> token = BearerToken(req)) {
    grant = context_->state().Authenticate(*token);
  }
  if (*fault && (*fault)->status) {
    if (grant) context_->ShowRateLimit(grant->client_id, res);
    AnswerInjectedStatus(*(*fault)->status,
                         {{"message", "fault injected by POST /_sandbox/faults"}}, res);
    return std::nullopt;
  }
  if (!grant) {
    res.set_header("WWW-Authenticate", "Bearer");
    ReplyJson(res, 401, {{"message", "Unauthorized"}});
    return std::nullopt;
  }
  if (!context_->ChargeRateLimit(grant->client_id, res)) return std::nullopt;
  if (!grant->scopes.count(scope)) {
    ReplyJson(res, 403, {{"message", "Forbidden: missing scope " + scope}});
    return std::nullopt;
  }
  if (read && !grant->site_admin) {
    ReplyJson(
        res, 403,
        {{"message", absl::StrCat("Forbidden: user ", grant->user_id,
                                  " (the token's sub) is not a Site Admin; reads need one")}});
    return std::nullopt;
  }
  return grant;
}

void HarvestRoutes::HandleList(const ListEndpoint& endpoint, const httplib::Request& req,
                               httplib::Response& res) {
  std::optional<Fault> fault;
  if (!Gate(req, res, endpoint.scope, /*read=*/true, &fault)) return;

  Params params;
  for (const auto& [name, value] : req.params) {
    if (!params.emplace(name, value).second) {
      Reply(Message(400, absl::StrCat("query parameter ", name,
                                      " is repeated; send it once (lists are comma-separated)")),
            res);
      return;
    }
  }
  Cursor page;
  if (params.count("cursor")) {
    if (params.size() != 1) {
      Reply(Message(400, "cursor must be the only query parameter"), res);
      return;
    }
    std::optional<Cursor> cursor = context_->state().FindCursor(params["cursor"]);
    if (!cursor || cursor->path != endpoint.path) {
      Reply(Message(400,
                    "cursor is not one this API issued for this endpoint (or the sandbox was "
                    "reset); start again from the first page"),
            res);
      return;
    }
    page = *cursor;
  } else {
    page.path = endpoint.path;
    page.per_page = kDefaultPerPage;
    for (const auto& [name, value] : params) {
      if (name == "per_page") {
        int per_page = 0;
        if (!absl::SimpleAtoi(value, &per_page) || per_page < 1 || per_page > kMaxPerPage) {
          Reply(Message(400, absl::StrCat("per_page must be a whole number from 1 to ", kMaxPerPage,
                                          "; got '", value, "'")),
                res);
          return;
        }
        page.per_page = per_page;
      } else if (endpoint.filters.count(name)) {
        page.params[name] = value;
      } else {
        Reply(Message(400, absl::StrCat("unknown query parameter '", name, "' for ", endpoint.path,
                                        "; this sandbox supports: ",
                                        absl::StrJoin(endpoint.filters, ", "), ", per_page")),
              res);
        return;
      }
    }
  }

  json all;
  if (std::optional<ApiError> error = endpoint.query(page.params, &all)) {
    Reply(*error, res);
    return;
  }
  const size_t begin = std::min(page.offset, all.size());
  const size_t end = std::min(begin + page.per_page, all.size());
  json items = json::array();
  for (size_t i = begin; i < end; ++i) items.push_back(std::move(all[i]));
  if (end < all.size()) {
    Cursor next = page;
    next.offset = end;
    const std::string token = context_->state().SaveCursor(std::move(next));
    res.set_header("Link", absl::StrCat("<", context_->public_url(), endpoint.path,
                                        "?cursor=", token, ">; rel=\"next\""));
  }
  ReplyJson(res, 200, items);
  if (fault && fault->drop_after_commit) DropConnection(req, res);
}

std::optional<ApiError> HarvestRoutes::AttachmentsWithUrls(const Params& params, json* out) {
  IdSet ids;
  if (auto error = ParseIds(params, "candidate_ids", &ids)) return error;
  *out = context_->state().Attachments(ids);
  const absl::Time now = context_->Now();
  for (json& attachment : *out) {
    const std::string file = attachment["file"];
    const int64_t ttl = attachment.value("url_ttl_seconds", kDefaultUrlTtlSeconds);
    attachment.erase("file");
    attachment.erase("url_ttl_seconds");
    attachment["url"] = absl::StrCat(context_->public_url(), "/attachments/", file, "?",
                                     context_->signer().PresignQuery(file, now, ttl));
  }
  return std::nullopt;
}

void HarvestRoutes::HandleCreateNote(const httplib::Request& req, httplib::Response& res) {
  std::optional<Fault> fault;
  if (!Gate(req, res, "harvest:notes:create", /*read=*/false, &fault)) return;
  if (!absl::StartsWith(absl::AsciiStrToLower(req.get_header_value("Content-Type")),
                        "application/json")) {
    Reply(Message(415, "send the note as a JSON body with Content-Type: application/json"), res);
    return;
  }
  json request = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (!request.is_object()) {
    Reply(Message(400,
                  "the body must be a JSON object: {\"candidate_id\",\"body\",\"note_type\","
                  "\"visibility\",\"user_id\"}"),
          res);
    return;
  }
  std::vector<FieldError> errors;
  std::optional<json> note = context_->state().CreateNote(request, &errors);
  if (!note) {
    Reply(ValidationFailed(errors), res);
    return;
  }
  ReplyJson(res, 201, *note);
  if (fault && fault->drop_after_commit) DropConnection(req, res);
}

}  // namespace hiresync::greenhouse_sandbox
