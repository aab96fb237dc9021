#include "services/writer/goco_client.h"

#include <optional>
#include <utility>
#include <variant>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/http_client/client_setup.h"
#include "common/http_client/rate_limit.h"
#include "common/http_client/url.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "services/writer/writer_metrics.h"

namespace hiresync::writer {
namespace {

using Json = nlohmann::json;

constexpr char kErrorPayloadUrl[] = "type.hiresync.dev/writer.GoCoError";
constexpr int kPageSize = 100;
constexpr int kMaxPages = 100;

// GoCo's paths and names, relative to the connection's base URL.
constexpr char kEmployeesPath[] = "/employees";
constexpr char kEmployeesRoute[] = "/employees";
constexpr char kDocumentsRoute[] = "/employees/{id}/documents";

const char* CatalogPath(CatalogKind kind) {
  switch (kind) {
    case CatalogKind::kDepartment:
      return "/departments";
    case CatalogKind::kLocation:
      return "/locations";
    case CatalogKind::kJobTitle:
      return "/job-titles";
    case CatalogKind::kEmploymentType:
      return "/employment-types";
  }
  return "/departments";
}

std::string StringField(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

Employee EmployeeFromJson(const Json& json) {
  Employee employee;
  employee.id = StringField(json, "id");
  employee.status = StringField(json, "status");
  employee.employment_type_id = StringField(json, "employment_type_id");
  employee.job_title_id = StringField(json, "job_title_id");
  employee.department_id = StringField(json, "department_id");
  employee.location_id = StringField(json, "location_id");
  auto external = json.find("external_ids");
  if (external != json.end() && external->is_object()) {
    employee.greenhouse_candidate_id = StringField(*external, "greenhouse_candidate_id");
  }
  return employee;
}

Document DocumentFromJson(const Json& json) {
  Document document;
  document.id = StringField(json, "id");
  document.filename = StringField(json, "filename");
  document.sha256 = StringField(json, "sha256");
  auto size = json.find("size_bytes");
  if (size != json.end() && size->is_number_integer()) document.size_bytes = size->get<int64_t>();
  return document;
}

Json DraftToJson(const EmployeeDraft& draft) {
  Json body = Json::object();
  auto put = [&body](const char* key, const std::string& value) {
    if (!value.empty()) body[key] = value;
  };
  put("first_name", draft.first_name);
  put("last_name", draft.last_name);
  put("personal_email", draft.personal_email);
  put("personal_phone", draft.personal_phone);
  put("start_date", draft.start_date);
  put("employment_type_id", draft.employment_type_id);
  put("job_title_id", draft.job_title_id);
  put("department_id", draft.department_id);
  put("location_id", draft.location_id);
  body["source"] = "greenhouse";
  Json external = Json::object();
  if (!draft.greenhouse_candidate_id.empty()) {
    external["greenhouse_candidate_id"] = draft.greenhouse_candidate_id;
  }
  if (!draft.greenhouse_application_id.empty()) {
    external["greenhouse_application_id"] = draft.greenhouse_application_id;
  }
  if (!external.empty()) body["external_ids"] = external;
  return body;
}

absl::StatusCode CodeForHttp(int status) {
  switch (status) {
    case 0:
      return absl::StatusCode::kUnavailable;
    case 400:
    case 413:
    case 422:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAlreadyExists;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    default:
      return status >= 500 ? absl::StatusCode::kUnavailable : absl::StatusCode::kUnknown;
  }
}

struct BaseUrl {
  std::string scheme_host_port;
  std::string path_prefix;
};

absl::StatusOr<BaseUrl> ParseBaseUrl(const std::string& url) {
  std::variant<http_client::Url, http_client::UrlProblem> split = http_client::SplitHttpUrl(url);
  if (const auto* problem = std::get_if<http_client::UrlProblem>(&split)) {
    if (*problem == http_client::UrlProblem::kNoScheme) {
      return absl::InvalidArgumentError(
          absl::StrCat("GoCo base URL \"", url,
                       "\" has no scheme; write it as https://host/v1/companies/<name>"));
    }
    if (*problem == http_client::UrlProblem::kNotHttp) {
      return absl::InvalidArgumentError(
          absl::StrCat("GoCo base URL \"", url, "\" must start with http:// or https://"));
    }
    return absl::InvalidArgumentError(absl::StrCat("GoCo base URL \"", url, "\" has no host"));
  }
  http_client::Url& parts = std::get<http_client::Url>(split);
  BaseUrl base;
  base.scheme_host_port = std::move(parts.origin);
  base.path_prefix = std::move(parts.path);
  while (!base.path_prefix.empty() && base.path_prefix.back() == '/') base.path_prefix.pop_back();
  return base;
}

}  // namespace

absl::Status GoCoError::ToStatus() const {
  std::string text = http_status == 0
                         ? absl::StrCat("GoCo could not be reached: ", message)
                         : absl::StrCat("GoCo answered ", http_status,
                                        code.empty() ? "" : absl::StrCat(" ", code), ": ", message);
  absl::Status status(CodeForHttp(http_status), text);
  Json payload = {{"http_status", http_status},
                  {"code", code},
                  {"message", message},
                  {"retry_after_seconds", retry_after_seconds}};
  Json json_fields = Json::array();
  for (const Field& field : fields) {
    json_fields.push_back({{"field", field.field}, {"message", field.message}});
  }
  payload["fields"] = json_fields;
  status.SetPayload(kErrorPayloadUrl, absl::Cord(payload.dump()));
  return status;
}

std::optional<GoCoError> GoCoError::Of(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorPayloadUrl);
  if (!payload) return std::nullopt;
  Json json = Json::parse(std::string(*payload), nullptr, false);
  if (!json.is_object()) return std::nullopt;
  GoCoError error;
  error.http_status = json.value("http_status", 0);
  error.code = json.value("code", "");
  error.message = json.value("message", "");
  error.retry_after_seconds = json.value("retry_after_seconds", int64_t{0});
  for (const Json& field : json.value("fields", Json::array())) {
    error.fields.push_back({field.value("field", ""), field.value("message", "")});
  }
  return error;
}

struct GoCoClient::Impl {
  Impl(const BaseUrl& base, std::string key, std::shared_ptr<time::Clock> c, GoCoClientOptions o)
      : http(base.scheme_host_port),
        origin(base.scheme_host_port),
        prefix(base.path_prefix),
        api_key(std::move(key)),
        clock(std::move(c)),
        options(o) {}

  std::mutex mutex;  // guards everything below: httplib::Client is not thread-safe
  httplib::Client http;
  std::string origin;
  std::string prefix;
  std::string api_key;
  std::shared_ptr<time::Clock> clock;
  GoCoClientOptions options;
  // No call before the hold ends (a rate-limit window nearly used up, or a Retry-After).
  http_client::RateLimitHold hold;
};

struct GoCoClient::Call {
  Call(std::string m, std::string p, std::string r)
      : method(std::move(m)), path(std::move(p)), route(std::move(r)) {}
  std::string method;  // GET or POST
  std::string path;    // relative to the base URL, with the query string
  std::string route;   // low-cardinality name for metrics
  httplib::Headers headers;
  std::string json_body;
  const Upload* upload = nullptr;
};

struct GoCoClient::Answer {
  int status = 0;
  Json body;
  bool replayed = false;
};

GoCoClient::GoCoClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GoCoClient::~GoCoClient() = default;

absl::StatusOr<std::unique_ptr<GoCoClient>> GoCoClient::Create(const std::string& base_url,
                                                               const std::string& api_key,
                                                               std::shared_ptr<time::Clock> clock,
                                                               GoCoClientOptions options) {
  auto base = ParseBaseUrl(base_url);
  if (!base.ok()) return base.status();
  auto impl = std::make_unique<Impl>(*base, api_key, std::move(clock), options);
  if (!impl->http.is_valid()) {
    return absl::InvalidArgumentError(
        absl::StrCat("GoCo base URL \"", base_url, "\" cannot be used; check host and port"));
  }
  http_client::ConfigureClient(
      impl->http, {options.connect_timeout, options.read_timeout, options.write_timeout});
  // httplib 0.11 does not notice a keep-alive connection the server closed while idle, so
  // each call gets a fresh connection rather than a spurious failure.
  impl->http.set_keep_alive(false);
  impl->http.set_bearer_token_auth(api_key.c_str());
  http_client::VerifyServer(impl->http, options.ca_bundle);
  return std::unique_ptr<GoCoClient>(new GoCoClient(std::move(impl)));
}

absl::StatusOr<GoCoClient::Answer> GoCoClient::Send(const Call& call) {
  std::lock_guard lock(impl_->mutex);
  Impl& impl = *impl_;
  absl::Duration slept;
  if (impl.hold.Wait(*impl.clock, impl.options.max_rate_limit_wait, &slept)) {
    WriterMetrics::Get().goco().CountRateLimitWait(absl::ToDoubleSeconds(slept));
  }

  std::string full_path = impl.prefix + call.path;
  std::string endpoint = absl::StrCat(call.method, " ", call.route);
  absl::Time start = absl::Now();
  httplib::Result result = [&] {
    if (call.method == "GET") return impl.http.Get(full_path, call.headers);
    if (call.upload != nullptr) {
      httplib::MultipartFormDataItems items = {
          {"file", call.upload->bytes, call.upload->filename,
           call.upload->content_type.empty() ? "application/octet-stream"
                                             : call.upload->content_type},
          {"category", call.upload->category, "", ""},
      };
      return impl.http.Post(full_path, call.headers, items);
    }
    return impl.http.Post(full_path, call.headers, call.json_body, "application/json");
  }();
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);

  if (!result) {
    WriterMetrics::Get().goco().ObserveCall(endpoint, 0, seconds);
    GoCoError error;
    std::optional<std::string> tls = http_client::TlsFailure(impl.http, result.error(), "GoCo",
                                                             impl.origin, impl.options.ca_bundle);
    error.message = tls ? absl::StrCat(*tls, "; calling ", endpoint)
                        : absl::StrCat(httplib::to_string(result.error()), " error calling ",
                                       endpoint, " (GoCo down, unreachable or too slow)");
    return error.ToStatus();
  }
  const httplib::Response& response = *result;
  WriterMetrics::Get().goco().ObserveCall(endpoint, response.status, seconds);

  // The rate limit is announced on every answer: slow down before it is reached.
  impl.hold.SlowDownBeforeLimit(response.get_header_value(http_client::kRateLimitRemainingHeader),
                                response.get_header_value(http_client::kRateLimitResetHeader),
                                impl.options.slow_down_at_remaining);
  int64_t retry_after = 0;
  if (response.status == 429 || response.status == 503) {
    std::optional<int64_t> asked =
        http_client::RetryAfterSeconds(response.get_header_value(http_client::kRetryAfterHeader));
    if (asked && *asked > 0) {
      retry_after = *asked;
      impl.hold.HoldUntil(impl.clock->Now() + absl::Seconds(retry_after));
    }
  }

  Answer answer;
  answer.status = response.status;
  answer.replayed = response.get_header_value("Idempotent-Replayed") == "true";
  answer.body = Json::parse(response.body, nullptr, false);
  if (response.status >= 200 && response.status < 300) {
    if (answer.body.is_discarded() || !answer.body.is_object()) {
      GoCoError error;
      error.http_status = 502;
      error.code = "bad_response";
      error.message =
          absl::StrCat("GoCo answered ", endpoint,
                       " with a body that is not a JSON object; the call will be retried");
      return error.ToStatus();
    }
    return answer;
  }
  GoCoError error;
  error.http_status = response.status;
  error.retry_after_seconds = retry_after;
  if (answer.body.is_object() && answer.body.contains("error") &&
      answer.body["error"].is_object()) {
    const Json& body = answer.body["error"];
    error.code = StringField(body, "code");
    error.message = StringField(body, "message");
    auto fields = body.find("fields");
    if (fields != body.end() && fields->is_array()) {
      for (const Json& field : *fields) {
        if (field.is_object()) {
          error.fields.push_back({StringField(field, "field"), StringField(field, "message")});
        }
      }
    }
  }
  if (error.message.empty()) {
    error.message = absl::StrCat("HTTP ", response.status, " from ", endpoint);
  }
  return error.ToStatus();
}

absl::StatusOr<std::vector<CatalogEntry>> GoCoClient::ListCatalog(CatalogKind kind) {
  Call call("GET", CatalogPath(kind), CatalogPath(kind));
  auto answer = Send(call);
  if (!answer.ok()) return answer.status();
  std::vector<CatalogEntry> entries;
  const Json& data = answer->body.contains("data") ? answer->body["data"] : Json::array();
  if (!data.is_array()) return entries;
  for (const Json& item : data) {
    if (!item.is_object()) continue;
    entries.push_back({StringField(item, "id"), StringField(item, "name")});
  }
  return entries;
}

absl::StatusOr<std::vector<Employee>> GoCoClient::FindEmployees(const EmployeeQuery& query) {
  std::string filter = absl::StrCat("first_name=", http_client::PercentEncode(query.first_name),
                                    "&last_name=", http_client::PercentEncode(query.last_name));
  if (query.personal_email) {
    absl::StrAppend(&filter, "&personal_email=", http_client::PercentEncode(*query.personal_email));
  }
  absl::StrAppend(&filter, "&status=any&limit=", kPageSize);
  std::vector<Employee> employees;
  for (int page = 0; page < kMaxPages; ++page) {
    Call call("GET", absl::StrCat(kEmployeesPath, "?", filter, "&offset=", employees.size()),
              kEmployeesRoute);
    auto answer = Send(call);
    if (!answer.ok()) return answer.status();
    const Json& body = answer->body;
    // Read defensively: a "total" that is not an integer must not throw or overflow.
    int64_t total = body.contains("total") && body["total"].is_number_integer()
                        ? body["total"].get<int64_t>()
                        : 0;
    size_t before = employees.size();
    if (body.contains("data") && body["data"].is_array()) {
      for (const Json& item : body["data"]) {
        if (item.is_object()) employees.push_back(EmployeeFromJson(item));
      }
    }
    if (employees.size() == before || static_cast<int64_t>(employees.size()) >= total) break;
  }
  return employees;
}

absl::StatusOr<Employee> GoCoClient::CreateEmployee(const EmployeeDraft& draft,
                                                    const std::string& idempotency_key) {
  Call call("POST", kEmployeesPath, kEmployeesRoute);
  call.headers.emplace("Idempotency-Key", idempotency_key);
  call.json_body = DraftToJson(draft).dump();
  auto answer = Send(call);
  if (!answer.ok()) return answer.status();
  return EmployeeFromJson(answer->body);
}

absl::StatusOr<std::vector<Document>> GoCoClient::ListDocuments(const std::string& employee_id) {
  Call call(
      "GET",
      absl::StrCat(kEmployeesPath, "/", http_client::PercentEncode(employee_id), "/documents"),
      kDocumentsRoute);
  auto answer = Send(call);
  if (!answer.ok()) return answer.status();
  std::vector<Document> documents;
  const Json& body = answer->body;
  if (body.contains("data") && body["data"].is_array()) {
    for (const Json& item : body["data"]) {
      if (item.is_object()) documents.push_back(DocumentFromJson(item));
    }
  }
  return documents;
}

absl::StatusOr<Document> GoCoClient::UploadDocument(const std::string& employee_id,
                                                    const Upload& upload) {
  Call call(
      "POST",
      absl::StrCat(kEmployeesPath, "/", http_client::PercentEncode(employee_id), "/documents"),
      kDocumentsRoute);
  call.upload = &upload;
  auto answer = Send(call);
  if (!answer.ok()) return answer.status();
  return DocumentFromJson(answer->body);
}

}  // namespace hiresync::writer
