#include "services/notes/harvest_client.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <utility>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/http_client/client_setup.h"
#include "common/http_client/rate_limit.h"
#include "common/http_client/url.h"
#include "common/status/status.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "services/notes/notes_metrics.h"

namespace hiresync::notes {
namespace {

using Json = nlohmann::json;

// Harvest v3 names, relative to the base URL (which ends in /v3).
constexpr char kUsersPath[] = "/users";
constexpr char kNotesPath[] = "/notes";
constexpr char kTokenEndpoint[] = "POST /token";
constexpr char kUsersEndpoint[] = "GET /v3/users";
constexpr char kListNotesEndpoint[] = "GET /v3/notes";
constexpr char kCreateNoteEndpoint[] = "POST /v3/notes";
constexpr char kUsersScope[] = "harvest:users:list";
constexpr char kNotesListScope[] = "harvest:notes:list";
constexpr char kNotesCreateScope[] = "harvest:notes:create";
constexpr int64_t kEpochThreshold = 1000000000;
// Calls left in the window at which the client waits for it to reset.
constexpr int64_t kSlowDownAtRemaining = 1;
constexpr size_t kMaxEchoedChars = 300;

using http_client::Url;

absl::StatusOr<Url> SplitUrl(const std::string& url, const std::string& setting) {
  std::variant<Url, http_client::UrlProblem> split = http_client::SplitHttpUrl(url);
  if (const auto* problem = std::get_if<http_client::UrlProblem>(&split)) {
    if (*problem == http_client::UrlProblem::kNoHost) {
      return absl::FailedPreconditionError(absl::StrCat(setting, " \"", url, "\" has no host"));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        setting, " \"", url, "\" must start with https:// (or http:// for a local sandbox)"));
  }
  return std::get<Url>(std::move(split));
}

int64_t IntField(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  int64_t value = 0;
  if (it->is_string() && absl::SimpleAtoi(it->get<std::string>(), &value)) return value;
  return 0;
}

std::string StringField(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

HarvestNote NoteFromJson(const Json& json) {
  HarvestNote note;
  note.id = IntField(json, "id");
  note.candidate_id = IntField(json, "candidate_id");
  note.body = StringField(json, "body");
  note.visibility = StringField(json, "visibility");
  note.user_id = IntField(json, "user_id");
  return note;
}

// The URL of `Link: <url>; rel="next"`, or "" when there is no next page.
std::string NextLink(const std::string& header) {
  for (absl::string_view part : absl::StrSplit(header, ',')) {
    size_t open = part.find('<');
    size_t close = part.find('>');
    if (open == absl::string_view::npos || close == absl::string_view::npos || close < open) {
      continue;
    }
    std::string params = absl::AsciiStrToLower(part.substr(close + 1));
    params = absl::StrReplaceAll(params, {{" ", ""}, {"\"", ""}});
    if (absl::StrContains(params, ";rel=next")) {
      return std::string(part.substr(open + 1, close - open - 1));
    }
  }
  return "";
}

// Retry-After in seconds or, above 10^9, as an epoch time (Greenhouse's documented rule);
// 1 s when it cannot be read.
absl::Duration RetryAfter(const std::string& value, absl::Time now) {
  std::optional<int64_t> number = http_client::RetryAfterSeconds(value);
  if (!number) return absl::Seconds(1);
  if (*number > kEpochThreshold)
    return std::max(absl::FromUnixSeconds(*number) - now, absl::ZeroDuration());
  return absl::Seconds(*number);
}

}  // namespace

struct HarvestClient::Impl {
  struct Request {
    std::string method;  // GET or POST
    std::string origin;
    std::string path;
    std::string endpoint;  // low-cardinality name for metrics and messages
    httplib::Headers headers;
    std::string body;
    std::string content_type;
  };
  struct Answer {
    int status = 0;
    std::string body;
    std::string next_link;
  };

  HarvestSettings settings;
  std::shared_ptr<time::Clock> clock;
  HarvestOptions options;
  Url api;
  Url token_url;

  std::mutex mutex;  // serializes calls; guards everything below
  std::string access_token;
  absl::Time token_renew_at = absl::InfinitePast();
  http_client::RateLimitHold hold;
  bool author_verified = false;

  // Replaces the client id and secret anywhere in text Harvest echoed, and bounds it.
  std::string Scrub(std::string text) const {
    if (!settings.client_secret.empty()) {
      text = absl::StrReplaceAll(text, {{settings.client_secret, "[client secret]"}});
    }
    if (!settings.client_id.empty()) {
      text = absl::StrReplaceAll(text, {{settings.client_id, "[client id]"}});
    }
    if (text.size() > kMaxEchoedChars) text = absl::StrCat(text.substr(0, kMaxEchoedChars), "...");
    return text;
  }

  // Harvest's error text: `message` with the `errors` list, or OAuth's error fields.
  std::string ErrorText(const Answer& answer) const {
    Json json = Json::parse(answer.body, nullptr, false);
    std::string text;
    if (json.is_object()) {
      text = StringField(json, "message");
      auto errors = json.find("errors");
      if (errors != json.end() && errors->is_array()) {
        std::string list;
        for (const Json& error : *errors) {
          if (!error.is_object()) continue;
          std::string field = StringField(error, "field");
          absl::StrAppend(&list, list.empty() ? "" : "; ", field, field.empty() ? "" : ": ",
                          StringField(error, "message"));
        }
        if (!list.empty())
          absl::StrAppend(&text, text.empty() ? "" : " (", list, text.empty() ? "" : ")");
      }
      if (text.empty()) {
        text = StringField(json, "error");
        std::string description = StringField(json, "error_description");
        if (!description.empty()) absl::StrAppend(&text, text.empty() ? "" : ": ", description);
      }
    }
    if (text.empty())
      text = answer.body.empty() ? absl::StrCat("HTTP ", answer.status) : answer.body;
    return Scrub(text);
  }

  // One HTTP exchange, honouring the rate limit and answering 429s by waiting and
  // sending again. Any HTTP answer other than an exhausted 429 is returned as is.
  absl::StatusOr<Answer> Exchange(const Request& request) {
    for (int attempt = 0;; ++attempt) {
      absl::Duration slept;
      if (hold.Wait(*clock, options.max_rate_limit_wait, &slept)) {
        NotesMetrics::Get().harvest().CountRateLimitWait(absl::ToDoubleSeconds(slept));
      }
      httplib::Client http(request.origin);
      http_client::ConfigureClient(
          http, {options.connect_timeout, options.read_timeout, options.write_timeout});
      http_client::VerifyServer(http, options.ca_bundle);
      absl::Time start = absl::Now();
      httplib::Result result =
          request.method == "GET"
              ? http.Get(request.path, request.headers)
              : http.Post(request.path, request.headers, request.body, request.content_type);
      double seconds = absl::ToDoubleSeconds(absl::Now() - start);
      if (!result) {
        NotesMetrics::Get().harvest().ObserveCall(request.endpoint, 0, seconds);
        if (auto tls = http_client::TlsFailure(http, result.error(), "Greenhouse", request.origin,
                                               options.ca_bundle)) {
          return absl::UnavailableError(absl::StrCat(*tls, " (", request.endpoint, ", connection '",
                                                     settings.connection_id,
                                                     "'); the call will be retried"));
        }
        return absl::UnavailableError(
            absl::StrCat("Greenhouse did not answer ", request.endpoint, " for connection '",
                         settings.connection_id, "' (", httplib::to_string(result.error()),
                         "); Greenhouse may be down or unreachable, the call will be retried"));
      }
      const httplib::Response& response = *result;
      NotesMetrics::Get().harvest().ObserveCall(request.endpoint, response.status, seconds);

      hold.SlowDownBeforeLimit(response.get_header_value(http_client::kRateLimitRemainingHeader),
                               response.get_header_value(http_client::kRateLimitResetHeader),
                               kSlowDownAtRemaining);
      if (response.status == 429) {
        if (attempt >= options.max_429_retries) {
          return absl::UnavailableError(absl::StrCat(
              "Greenhouse Harvest is rate limiting connection '", settings.connection_id,
              "' (429 on ", request.endpoint, ", ", attempt + 1,
              " times in a row); the call will be retried later. If this persists, other "
              "integrations may be using up this Harvest credential's limit"));
        }
        hold.HoldUntil(
            clock->Now() +
            RetryAfter(response.get_header_value(http_client::kRetryAfterHeader), clock->Now()));
        continue;
      }
      Answer answer;
      answer.status = response.status;
      answer.body = response.body;
      answer.next_link = NextLink(response.get_header_value("Link"));
      return answer;
    }
  }

  absl::Status RequireAuthorId() const {
    if (settings.author_user_id > 0) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        "connection '", settings.connection_id,
        "' has no greenhouse.note_author_user_id: set it to the Greenhouse user id of the note "
        "author, a Site Admin (Configure > Users, the number in the user's page URL); Harvest v3 "
        "tokens are issued for that user"));
  }

  absl::Status FetchToken() {
    RETURN_IF_ERROR(RequireAuthorId());
    Request request;
    request.method = "POST";
    request.origin = token_url.origin;
    request.path = token_url.path.empty() ? "/" : token_url.path;
    request.endpoint = kTokenEndpoint;
    request.headers = {
        httplib::make_basic_authentication_header(settings.client_id, settings.client_secret),
        {"Accept", "application/json"}};
    request.body = absl::StrCat("grant_type=client_credentials&sub=", settings.author_user_id);
    request.content_type = "application/x-www-form-urlencoded";
    absl::StatusOr<Answer> answer = Exchange(request);
    if (!answer.ok()) return answer.status();
    if (answer->status == 200) {
      Json json = Json::parse(answer->body, nullptr, false);
      std::string token = json.is_object() ? StringField(json, "access_token") : "";
      if (token.empty()) {
        return absl::UnavailableError(absl::StrCat(
            "Greenhouse's token endpoint answered 200 without an access_token for connection '",
            settings.connection_id, "'; the call will be retried"));
      }
      int64_t expires_in = json.is_object() ? IntField(json, "expires_in") : 0;
      if (expires_in <= 0) expires_in = 3600;
      absl::Duration lifetime = absl::Seconds(expires_in);
      absl::Duration margin = std::min(options.token_renew_margin, lifetime / 2);
      access_token = std::move(token);
      token_renew_at = clock->Now() + lifetime - margin;
      return absl::OkStatus();
    }
    std::string what = ErrorText(*answer);
    if (answer->status == 401) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Greenhouse refused connection '", settings.connection_id,
          "''s Harvest client id and secret (401 ", what,
          "): check greenhouse.harvest_client_id and harvest_client_secret against the Harvest V3 "
          "(OAuth) credential in Greenhouse (Configure > Dev Center > API Credentials)"));
    }
    if (answer->status == 400) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Greenhouse refused the token request for connection '", settings.connection_id,
          "' (400 ", what, "): check that greenhouse.note_author_user_id (",
          settings.author_user_id, ") is the id of an existing Greenhouse user"));
    }
    if (answer->status >= 500) {
      return absl::UnavailableError(absl::StrCat("Greenhouse's token endpoint answered ",
                                                 answer->status, " (", what,
                                                 "); the call will be retried"));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "Greenhouse's token endpoint answered ", answer->status, " (", what, ") for connection '",
        settings.connection_id, "': check greenhouse.token_url (default ", kDefaultTokenUrl, ")"));
  }

  absl::Status EnsureToken() {
    if (!access_token.empty() && clock->Now() < token_renew_at) return absl::OkStatus();
    access_token.clear();
    return FetchToken();
  }

  // A Harvest v3 call with the connection's token: renewed once and sent again on a 401.
  // `target` is a path below the base URL or, for a next page, a full URL.
  absl::StatusOr<Answer> Api(const std::string& method, const std::string& target,
                             const std::string& json_body, const std::string& endpoint,
                             const std::string& scope) {
    Request request;
    request.method = method;
    request.endpoint = endpoint;
    if (absl::StartsWith(target, "http://") || absl::StartsWith(target, "https://")) {
      absl::StatusOr<Url> url = SplitUrl(target, "Harvest's next-page link");
      if (!url.ok()) return url.status();
      if (url->origin != api.origin) {
        return absl::FailedPreconditionError(absl::StrCat(
            "Harvest's next-page link points to ", url->origin,
            ", not to greenhouse.harvest_base_url's host ", api.origin,
            ", and hiresync sends its token nowhere else: check greenhouse.harvest_base_url"));
      }
      request.origin = url->origin;
      request.path = url->path;
    } else {
      request.origin = api.origin;
      request.path = api.path + target;
    }
    if (method == "POST") {
      request.body = json_body;
      request.content_type = "application/json";
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
      RETURN_IF_ERROR(EnsureToken());
      request.headers = {{"Authorization", absl::StrCat("Bearer ", access_token)},
                         {"Accept", "application/json"}};
      absl::StatusOr<Answer> answer = Exchange(request);
      if (!answer.ok()) return answer.status();
      if (answer->status == 401) {
        access_token.clear();
        continue;
      }
      if (answer->status >= 200 && answer->status < 300) return answer;
      std::string what = ErrorText(*answer);
      std::string refused =
          absl::StrCat("Greenhouse Harvest refused ", endpoint, " for connection '",
                       settings.connection_id, "' (", answer->status, " ", what, ")");
      if (answer->status == 403) {
        return absl::FailedPreconditionError(absl::StrCat(
            refused, ": the Harvest credential lacks scope ", scope,
            ": edit the API credential in Greenhouse (Configure > Dev Center > API Credentials) "
            "and add it"));
      }
      if (answer->status == 422) return absl::InvalidArgumentError(refused);
      if (answer->status >= 500) {
        return absl::UnavailableError(absl::StrCat(refused, "; the call will be retried"));
      }
      if (answer->status == 404) {
        return absl::FailedPreconditionError(absl::StrCat(
            refused, ": check greenhouse.harvest_base_url (default ", kDefaultHarvestBaseUrl, ")"));
      }
      return absl::FailedPreconditionError(refused);
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "Greenhouse Harvest refused connection '", settings.connection_id, "''s new token on ",
        endpoint,
        " (401 Unauthorized): check that the Harvest V3 (OAuth) credential is still active in "
        "Greenhouse and that greenhouse.harvest_base_url and token_url belong to the same "
        "Greenhouse"));
  }
};

HarvestClient::HarvestClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HarvestClient::~HarvestClient() = default;

absl::StatusOr<std::unique_ptr<HarvestClient>> HarvestClient::Create(
    HarvestSettings settings, std::shared_ptr<time::Clock> clock, HarvestOptions options) {
  if (settings.base_url.empty()) settings.base_url = kDefaultHarvestBaseUrl;
  if (settings.token_url.empty()) settings.token_url = kDefaultTokenUrl;
  if (settings.client_id.empty() || settings.client_secret.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "connection '", settings.connection_id,
        "' has no Harvest v3 credentials, so hiresync cannot write notes in Greenhouse: create a "
        "Harvest V3 (OAuth) credential in Greenhouse (Configure > Dev Center > API Credentials) "
        "with scopes harvest:users:list, harvest:notes:create and harvest:notes:list, and give "
        "it as greenhouse.harvest_client_id and harvest_client_secret"));
  }
  auto impl = std::make_unique<Impl>();
  absl::StatusOr<Url> api = SplitUrl(settings.base_url, "greenhouse.harvest_base_url");
  if (!api.ok()) return api.status();
  absl::StatusOr<Url> token = SplitUrl(settings.token_url, "greenhouse.token_url");
  if (!token.ok()) return token.status();
  while (!api->path.empty() && api->path.back() == '/') api->path.pop_back();
  impl->api = *api;
  impl->token_url = *token;
  impl->settings = std::move(settings);
  impl->clock = std::move(clock);
  impl->options = options;
  return std::unique_ptr<HarvestClient>(new HarvestClient(std::move(impl)));
}

absl::Status HarvestClient::CheckToken() {
  std::lock_guard lock(impl_->mutex);
  impl_->access_token.clear();
  return impl_->FetchToken();
}

absl::Status HarvestClient::VerifyAuthor() {
  std::lock_guard lock(impl_->mutex);
  Impl& impl = *impl_;
  if (impl.author_verified) return absl::OkStatus();
  if (absl::Status status = impl.RequireAuthorId(); !status.ok()) return status;
  const HarvestSettings& s = impl.settings;
  if (s.author_email.empty()) {
    impl.author_verified = true;
    return absl::OkStatus();
  }
  absl::StatusOr<Impl::Answer> answer = impl.Api(
      "GET",
      absl::StrCat(kUsersPath, "?primary_email=", http_client::PercentEncode(s.author_email)), "",
      kUsersEndpoint, kUsersScope);
  if (!answer.ok()) return answer.status();
  Json users = Json::parse(answer->body, nullptr, false);
  if (!users.is_array()) {
    return absl::UnavailableError(absl::StrCat("Greenhouse answered ", kUsersEndpoint,
                                               " with something other than a list of users; the "
                                               "call will be retried"));
  }
  std::vector<int64_t> ids;
  for (const Json& user : users) {
    if (!user.is_object()) continue;
    int64_t id = IntField(user, "id");
    if (id == s.author_user_id) {
      impl.author_verified = true;
      return absl::OkStatus();
    }
    ids.push_back(id);
  }
  if (ids.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the note author ", s.author_email,
        " is not a Greenhouse user: set greenhouse.note_author_email to a Site Admin's email "
        "(connection '",
        s.connection_id, "')"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("greenhouse.note_author_user_id is ", s.author_user_id, " but the note author ",
                   s.author_email, " is Greenhouse user ", ids.front(), " (connection '",
                   s.connection_id, "'): set note_author_user_id to ", ids.front(),
                   ", or note_author_email to the email of user ", s.author_user_id));
}

absl::StatusOr<std::vector<HarvestNote>> HarvestClient::ListNotes(int64_t candidate_id) {
  std::lock_guard lock(impl_->mutex);
  Impl& impl = *impl_;
  std::vector<HarvestNote> notes;
  std::string target = absl::StrCat(kNotesPath, "?candidate_ids=", candidate_id,
                                    "&per_page=", impl.options.notes_per_page);
  for (int page = 0; page < impl.options.max_pages && !target.empty(); ++page) {
    absl::StatusOr<Impl::Answer> answer =
        impl.Api("GET", target, "", kListNotesEndpoint, kNotesListScope);
    if (!answer.ok()) return answer.status();
    Json list = Json::parse(answer->body, nullptr, false);
    if (!list.is_array()) {
      return absl::UnavailableError(
          absl::StrCat("Greenhouse answered ", kListNotesEndpoint,
                       " with something other than a list of notes; the call will be retried"));
    }
    for (const Json& item : list) {
      if (item.is_object()) notes.push_back(NoteFromJson(item));
    }
    target = answer->next_link;
  }
  return notes;
}

absl::StatusOr<HarvestNote> HarvestClient::CreateNote(int64_t candidate_id, const std::string& body,
                                                      const std::string& visibility) {
  std::lock_guard lock(impl_->mutex);
  Impl& impl = *impl_;
  if (absl::Status status = impl.RequireAuthorId(); !status.ok()) return status;
  Json request = {{"candidate_id", candidate_id},
                  {"body", body},
                  {"note_type", "NOTE"},
                  {"visibility", visibility},
                  {"user_id", impl.settings.author_user_id}};
  absl::StatusOr<Impl::Answer> answer =
      impl.Api("POST", kNotesPath, request.dump(), kCreateNoteEndpoint, kNotesCreateScope);
  if (!answer.ok()) return answer.status();
  Json note = Json::parse(answer->body, nullptr, false);
  if (!note.is_object() || IntField(note, "id") == 0) {
    // The note may exist: the caller's ledger still says "posting", so a retry looks first.
    return absl::UnavailableError(absl::StrCat(
        "Greenhouse answered ", kCreateNoteEndpoint, " with ", answer->status,
        " but no note id; the call will be retried (the note is looked up before writing again)"));
  }
  return NoteFromJson(note);
}

}  // namespace hiresync::notes
