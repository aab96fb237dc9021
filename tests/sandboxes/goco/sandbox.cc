#include "tests/sandboxes/goco/sandbox.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace hiresync::goco_sandbox {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kContractPrefix[] = "/v1/companies/";
constexpr char kSandboxPrefix[] = "/_sandbox/";
constexpr char kDefaultCompany[] = "demo";
constexpr int64_t kRateLimitOff = 1000000;
constexpr int64_t kRateWindowOffSeconds = 60;
constexpr absl::Duration kIdempotencyTtl = absl::Hours(24);
constexpr size_t kMaxIdempotencyKeyChars = 255;
constexpr int kMaxPageSize = 100;

// The four catalog kinds: path, seed/PUT key, id prefix, singular noun for messages.
struct CatalogKind {
  const char* path;
  const char* key;
  const char* prefix;
  const char* noun;
  const char* employee_field;
};
constexpr std::array<CatalogKind, 4> kCatalogKinds = {{
    {"/departments", "departments", "dep_", "department", "department_id"},
    {"/locations", "locations", "loc_", "location", "location_id"},
    {"/job-titles", "job_titles", "jt_", "job title", "job_title_id"},
    {"/employment-types", "employment_types", "et_", "employment type", "employment_type_id"},
}};

const std::set<std::string>& StringFields() {
  static const auto* fields = new std::set<std::string>{
      "first_name",         "last_name",    "personal_email", "personal_phone", "start_date",
      "employment_type_id", "job_title_id", "department_id",  "location_id",    "source"};
  return *fields;
}

const std::set<std::string>& DocumentCategories() {
  static const auto* categories = new std::set<std::string>{
      "resume", "cover_letter", "offer_letter", "signed_offer_letter", "other"};
  return *categories;
}

const std::set<std::string>& EmployeeStatuses() {
  static const auto* statuses = new std::set<std::string>{"incomplete", "active", "terminated"};
  return *statuses;
}

struct CatalogEntry {
  std::string id;
  std::string name;
};

struct Document {
  std::string id;
  std::string employee_id;
  std::string filename;
  std::string content_type;
  std::string category;
  std::string sha256;
  int64_t size_bytes = 0;
  std::string created_at;
};

struct Employee {
  std::string id;
  Json fields = Json::object();  // the accepted body fields, in the order they were sent
  std::string status;
  std::string created_at;
  std::vector<Document> documents;
};

struct IdempotencyRecord {
  std::string fingerprint;
  int status = 0;
  std::string body;
  absl::Time at;
};

enum class FaultKind { kStatus, kLatency, kDrop };

struct Fault {
  FaultKind kind = FaultKind::kStatus;
  std::string method;  // empty: any method
  std::string path;
  int status = 0;
  int64_t retry_after_seconds = 0;
  int64_t latency_ms = 0;
  int64_t remaining = 1;
};

struct RateLimit {
  int64_t limit = kRateLimitOff;
  int64_t window_seconds = kRateWindowOffSeconds;
  bool configured = false;
};

struct RateWindow {
  absl::Time start;
  int64_t count = 0;
};

struct FieldError {
  std::string field;
  std::string message;
};

struct Company {
  std::vector<std::string> startup_keys;
  std::vector<std::string> keys;
  std::map<std::string, std::vector<CatalogEntry>> catalog;  // by CatalogKind::key
  std::vector<Employee> employees;
  std::map<std::string, IdempotencyRecord> idempotency;
  std::vector<Fault> faults;
  RateLimit rate_limit;
  std::map<std::string, RateWindow> windows;  // by API key
  std::map<std::pair<std::string, std::string>, int64_t> requests;  // (method, path) -> calls
};

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

HttpResponse JsonResponse(int status, const Json& body) {
  HttpResponse response;
  response.status = status;
  response.body = Dump(body);
  return response;
}

HttpResponse Error(int status, const std::string& message) {
  HttpResponse response;
  response.status = status;
  response.body = ErrorBody(ErrorCodeForStatus(status), message);
  return response;
}

HttpResponse Error(int status, const std::string& code, const std::string& message) {
  HttpResponse response;
  response.status = status;
  response.body = ErrorBody(code, message);
  return response;
}

HttpResponse ValidationError(const std::vector<FieldError>& errors) {
  Json fields = Json::array();
  std::vector<std::string> parts;
  for (const FieldError& error : errors) {
    fields.push_back({{"field", error.field}, {"message", error.message}});
    parts.push_back(absl::StrCat(error.field, ": ", error.message));
  }
  Json body = {{"error",
                {{"code", "validation_failed"},
                 {"message", absl::StrCat("the request is invalid (", absl::StrJoin(parts, "; "),
                                          "); fix these fields and send it again")},
                 {"fields", fields}}}};
  return JsonResponse(422, body);
}

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

bool IsCalendarDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  int year = std::stoi(text.substr(0, 4));
  int month = std::stoi(text.substr(5, 2));
  int day = std::stoi(text.substr(8, 2));
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= days;
}

bool LooksLikeEmail(const std::string& text) {
  size_t at = text.find('@');
  if (at == std::string::npos || at == 0 || text.find('@', at + 1) != std::string::npos) {
    return false;
  }
  std::string domain = text.substr(at + 1);
  size_t dot = domain.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 >= domain.size()) return false;
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

std::vector<std::string> Segments(const std::string& path) {
  return absl::StrSplit(path, '/');
}

// `pattern` matches `path` exactly, with "*" matching one non-empty segment.
bool PathMatches(const std::string& pattern, const std::string& path) {
  std::vector<std::string> want = Segments(pattern);
  std::vector<std::string> have = Segments(path);
  if (want.size() != have.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i] == "*" ? have[i].empty() : want[i] != have[i]) return false;
  }
  return true;
}

std::optional<std::string> Header(const HttpRequest& request, const std::string& name) {
  auto it = request.headers.find(name);
  if (it == request.headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Query(const HttpRequest& request, const std::string& name) {
  auto it = request.query.find(name);
  if (it == request.query.end()) return std::nullopt;
  return it->second;
}

// The fingerprint two requests share when their JSON bodies are equal (key order and
// whitespace aside); a body that is not JSON is compared byte for byte.
std::string Fingerprint(const std::string& body) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded()) return "raw:" + body;
  return "json:" + parsed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::string> BearerKey(const HttpRequest& request) {
  std::optional<std::string> header = Header(request, "authorization");
  if (!header) return std::nullopt;
  constexpr absl::string_view kScheme = "bearer ";
  if (header->size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(absl::string_view(*header).substr(0, kScheme.size()), kScheme)) {
    return std::string();
  }
  return std::string(absl::StripAsciiWhitespace(header->substr(kScheme.size())));
}

const CatalogEntry* FindCatalogEntry(const Company& company, const CatalogKind& kind,
                                     const std::string& id) {
  auto it = company.catalog.find(kind.key);
  if (it == company.catalog.end()) return nullptr;
  for (const CatalogEntry& entry : it->second) {
    if (entry.id == id) return &entry;
  }
  return nullptr;
}

// Checks an employee body against the contract; `allow_status` for seeded employees.
std::vector<FieldError> ValidateEmployee(const Company& company, const Json& body,
                                         bool allow_status) {
  std::vector<FieldError> errors;
  for (const auto& [name, value] : body.items()) {
    if (StringFields().count(name) > 0) {
      if (!value.is_string() && !value.is_null()) {
        errors.push_back({name, "must be a string"});
      }
    } else if (name == "external_ids") {
      if (value.is_null()) continue;
      if (!value.is_object()) {
        errors.push_back({name, "must be an object of string values"});
        continue;
      }
      for (const auto& [key, id] : value.items()) {
        if (!id.is_string()) {
          errors.push_back({absl::StrCat("external_ids.", key), "must be a string"});
        }
      }
    } else if (name == "status" && allow_status) {
      if (!value.is_string() || EmployeeStatuses().count(value.get<std::string>()) == 0) {
        errors.push_back({name, "must be one of incomplete, active, terminated"});
      }
    } else {
      errors.push_back({name, "unknown field; see the contract for the accepted fields"});
    }
  }
  for (const char* required : {"first_name", "last_name"}) {
    auto it = body.find(required);
    if (it == body.end() || it->is_null() ||
        (it->is_string() && absl::StripAsciiWhitespace(it->get<std::string>()).empty())) {
      errors.push_back({required, "is required and must not be empty"});
    }
  }
  auto string_value = [&](const char* name) -> std::optional<std::string> {
    auto it = body.find(name);
    if (it == body.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  if (auto email = string_value("personal_email"); email && !LooksLikeEmail(*email)) {
    errors.push_back({"personal_email", "must be an email address like name@example.com"});
  }
  if (auto date = string_value("start_date"); date && !IsCalendarDate(*date)) {
    errors.push_back({"start_date", "must be a calendar date as YYYY-MM-DD"});
  }
  for (const CatalogKind& kind : kCatalogKinds) {
    auto id = string_value(kind.employee_field);
    if (id && FindCatalogEntry(company, kind, *id) == nullptr) {
      errors.push_back({kind.employee_field, absl::StrCat("unknown ", kind.noun)});
    }
  }
  return errors;
}

Json DocumentJson(const Document& document) {
  return Json{{"id", document.id},
              {"employee_id", document.employee_id},
              {"filename", document.filename},
              {"content_type", document.content_type},
              {"category", document.category},
              {"size_bytes", document.size_bytes},
              {"sha256", document.sha256},
              {"created_at", document.created_at}};
}

Json EmployeeJson(const Employee& employee) {
  Json json = {{"id", employee.id}};
  for (const auto& [name, value] : employee.fields.items()) json[name] = value;
  json["status"] = employee.status;
  json["created_at"] = employee.created_at;
  return json;
}

absl::StatusOr<std::vector<CatalogEntry>> ParseCatalogNames(const Json& names,
                                                            const CatalogKind& kind) {
  if (!names.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", kind.key, "\" must be a list of names"));
  }
  std::vector<CatalogEntry> entries;
  for (const Json& name : names) {
    if (!name.is_string() || name.get<std::string>().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", kind.key, "\" must hold non-empty strings"));
    }
    entries.push_back({absl::StrCat(kind.prefix, entries.size() + 1), name.get<std::string>()});
  }
  return entries;
}

absl::StatusOr<std::map<std::string, std::vector<CatalogEntry>>> ParseCatalog(const Json& body) {
  if (!body.is_object()) {
    return absl::InvalidArgumentError(
        "the catalog must be an object like {\"departments\": [\"Technology\"]}");
  }
  std::map<std::string, std::vector<CatalogEntry>> catalog;
  for (const auto& [key, names] : body.items()) {
    auto kind = std::find_if(kCatalogKinds.begin(), kCatalogKinds.end(),
                             [&](const CatalogKind& k) { return key == k.key; });
    if (kind == kCatalogKinds.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown catalog key \"", key,
          "\"; use departments, locations, job_titles, employment_types"));
    }
    absl::StatusOr<std::vector<CatalogEntry>> entries = ParseCatalogNames(names, *kind);
    if (!entries.ok()) return entries.status();
    catalog[key] = *std::move(entries);
  }
  return catalog;
}

absl::StatusOr<std::vector<std::string>> ParseKeys(const Json& keys) {
  if (!keys.is_array()) return absl::InvalidArgumentError("\"keys\" must be a list of strings");
  std::vector<std::string> result;
  for (const Json& key : keys) {
    if (!key.is_string() || key.get<std::string>().empty()) {
      return absl::InvalidArgumentError("API keys must be non-empty strings");
    }
    result.push_back(key.get<std::string>());
  }
  return result;
}

absl::StatusOr<int64_t> PositiveInteger(const Json& json, const char* name, int64_t max) {
  if (!json.is_number_integer() || json.get<int64_t>() < 1 || json.get<int64_t>() > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", name, "\" must be an integer from 1 to ", max));
  }
  return json.get<int64_t>();
}

}  // namespace

std::string ErrorCodeForStatus(int status) {
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 413: return "payload_too_large";
    case 422: return "validation_failed";
    case 429: return "rate_limited";
    case 500: return "internal_error";
    case 502: return "bad_gateway";
    case 503: return "unavailable";
    case 504: return "gateway_timeout";
    default: return status >= 500 ? "server_error" : "client_error";
  }
}

std::string ErrorBody(const std::string& code, const std::string& message) {
  return Dump(Json{{"error", {{"code", code}, {"message", message}}}});
}

struct Sandbox::State {
  std::map<std::string, Company> companies;
  int64_t next_employee = 1;
  int64_t next_document = 1;

  Company& GetOrCreate(const std::string& name) { return companies[name]; }

  Company* Find(const std::string& name) {
    auto it = companies.find(name);
    return it == companies.end() ? nullptr : &it->second;
  }

  Employee* FindEmployee(Company& company, const std::string& id) {
    for (Employee& employee : company.employees) {
      if (employee.id == id) return &employee;
    }
    return nullptr;
  }

  Employee& AddEmployee(Company& company, const Json& body, absl::Time now) {
    Employee employee;
    employee.id = absl::StrCat("emp_", next_employee++);
    employee.status = "incomplete";
    for (const auto& [name, value] : body.items()) {
      if (value.is_null()) continue;
      if (name == "status") {
        employee.status = value.get<std::string>();
      } else {
        employee.fields[name] = value;
      }
    }
    employee.created_at = Rfc3339(now);
    company.employees.push_back(std::move(employee));
    return company.employees.back();
  }

  // Advances the key's window; returns the rate-limit headers and whether the call is allowed.
  bool Admit(Company& company, const std::string& key, absl::Time now,
             std::vector<std::pair<std::string, std::string>>& headers,
             int64_t& retry_after) {
    const RateLimit& limit = company.rate_limit;
    absl::Duration window = absl::Seconds(limit.window_seconds);
    RateWindow& state = company.windows[key];
    if (state.start == absl::Time() || now >= state.start + window) {
      state.start = now;
      state.count = 0;
    }
    bool allowed = state.count < limit.limit;
    if (allowed) ++state.count;
    absl::Time reset = state.start + window;
    headers.emplace_back("X-RateLimit-Limit", absl::StrCat(limit.limit));
    headers.emplace_back("X-RateLimit-Remaining", absl::StrCat(limit.limit - state.count));
    headers.emplace_back("X-RateLimit-Reset",
                         absl::StrCat(absl::ToUnixSeconds(reset + absl::Seconds(1) -
                                                          absl::Nanoseconds(1))));
    retry_after = std::max<int64_t>(
        1, static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(reset - now))));
    return allowed;
  }

  static std::vector<std::pair<std::string, std::string>> FreshWindowHeaders(
      const RateLimit& limit, absl::Time now) {
    return {{"X-RateLimit-Limit", absl::StrCat(limit.limit)},
            {"X-RateLimit-Remaining", absl::StrCat(limit.limit)},
            {"X-RateLimit-Reset",
             absl::StrCat(absl::ToUnixSeconds(now) + limit.window_seconds)}};
  }
};

Sandbox::Sandbox(Clock clock) : state_(std::make_unique<State>()), clock_(std::move(clock)) {}

Sandbox::~Sandbox() = default;

void Sandbox::EnsureCompany(const std::string& company) {
  std::lock_guard<std::mutex> lock(mutex_);
  state_->GetOrCreate(company);
}

void Sandbox::AddStartupApiKey(const std::string& company, const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  Company& c = state_->GetOrCreate(company);
  if (std::find(c.startup_keys.begin(), c.startup_keys.end(), key) == c.startup_keys.end()) {
    c.startup_keys.push_back(key);
  }
  if (std::find(c.keys.begin(), c.keys.end(), key) == c.keys.end()) c.keys.push_back(key);
}

absl::Status Sandbox::LoadSeed(const std::string& json_text) {
  Json seed = Json::parse(json_text, nullptr, false);
  if (seed.is_discarded() || !seed.is_object() || !seed.contains("companies") ||
      !seed["companies"].is_object()) {
    return absl::InvalidArgumentError(
        "the seed file must be JSON like {\"companies\": {\"demo\": {\"api_keys\": [...], "
        "\"catalog\": {...}, \"employees\": [...]}}}");
  }
  for (const auto& [name, spec] : seed["companies"].items()) {
    if (!spec.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat("seed company \"", name, "\" must be an object"));
    }
    for (const auto& [key, unused] : spec.items()) {
      if (key != "api_keys" && key != "catalog" && key != "employees") {
        return absl::InvalidArgumentError(absl::StrCat(
            "seed company \"", name, "\" has unknown key \"", key,
            "\"; use api_keys, catalog, employees"));
      }
    }
    if (spec.contains("api_keys")) {
      absl::StatusOr<std::vector<std::string>> keys = ParseKeys(spec["api_keys"]);
      if (!keys.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("seed company \"", name, "\": ", keys.status().message()));
      }
      for (const std::string& key : *keys) AddStartupApiKey(name, key);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    Company& company = state_->GetOrCreate(name);
    if (spec.contains("catalog")) {
      auto catalog = ParseCatalog(spec["catalog"]);
      if (!catalog.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("seed company \"", name, "\": ", catalog.status().message()));
      }
      company.catalog = *std::move(catalog);
    }
    if (spec.contains("employees")) {
      if (!spec["employees"].is_array()) {
        return absl::InvalidArgumentError(
            absl::StrCat("seed company \"", name, "\": \"employees\" must be a list"));
      }
      for (const Json& body : spec["employees"]) {
        if (!body.is_object()) {
          return absl::InvalidArgumentError(
              absl::StrCat("seed company \"", name, "\": each employee must be an object"));
        }
        std::vector<FieldError> errors = ValidateEmployee(company, body, true);
        if (!errors.empty()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "seed company \"", name, "\": employee ", Dump(body.value("last_name", Json())),
              " is invalid: ", errors[0].field, " ", errors[0].message));
        }
        state_->AddEmployee(company, body, clock_());
      }
    }
  }
  return absl::OkStatus();
}

std::vector<std::pair<std::string, std::string>> Sandbox::RateLimitHeadersFor(
    const std::string& path, const std::string& authorization) {
  if (!absl::StartsWith(path, kContractPrefix)) return {};
  std::string rest = path.substr(sizeof(kContractPrefix) - 1);
  std::string company_name = rest.substr(0, rest.find('/'));
  std::lock_guard<std::mutex> lock(mutex_);
  absl::Time now = clock_();
  Company* company = state_->Find(company_name);
  if (company == nullptr) return State::FreshWindowHeaders(RateLimit(), now);
  HttpRequest request;
  request.headers["authorization"] = authorization;
  std::optional<std::string> key = BearerKey(request);
  auto window = key ? company->windows.find(*key) : company->windows.end();
  const RateLimit& limit = company->rate_limit;
  if (window == company->windows.end() ||
      now >= window->second.start + absl::Seconds(limit.window_seconds)) {
    return State::FreshWindowHeaders(limit, now);
  }
  return {{"X-RateLimit-Limit", absl::StrCat(limit.limit)},
          {"X-RateLimit-Remaining", absl::StrCat(limit.limit - window->second.count)},
          {"X-RateLimit-Reset", absl::StrCat(absl::ToUnixSeconds(window->second.start) +
                                             limit.window_seconds)}};
}

namespace {

// One contract call, with the lock held by the caller.
class ContractCall {
 public:
  ContractCall(Company& company, const HttpRequest& request, std::string path,
               absl::Time now, int64_t& next_document,
               std::function<Employee&(const Json&)> add_employee)
      : company_(company),
        request_(request),
        path_(std::move(path)),
        now_(now),
        next_document_(next_document),
        add_employee_(std::move(add_employee)) {}

  HttpResponse Route() {
    const std::string& method = request_.method;
    for (const CatalogKind& kind : kCatalogKinds) {
      if (path_ == kind.path) return method == "GET" ? ListCatalog(kind) : NotAllowed("GET");
    }
    std::vector<std::string> segments = Segments(path_);  // "", "employees", ...
    if (segments.size() < 2 || segments[1] != "employees") {
      return Error(404, absl::StrCat("no such path \"", path_,
                                     "\" in the GoCo API; see goco-api.md for the paths"));
    }
    if (segments.size() == 2) {
      if (method == "GET") return ListEmployees();
      if (method == "POST") return CreateEmployee();
      return NotAllowed("GET, POST");
    }
    Employee* employee = nullptr;
    for (Employee& candidate : company_.employees) {
      if (candidate.id == segments[2]) employee = &candidate;
    }
    if (segments.size() == 3) {
      if (method != "GET") return NotAllowed("GET");
      if (employee == nullptr) return UnknownEmployee(segments[2]);
      return JsonResponse(200, EmployeeJson(*employee));
    }
    if (segments.size() == 4 && segments[3] == "documents") {
      if (method != "GET" && method != "POST") return NotAllowed("GET, POST");
      if (employee == nullptr) return UnknownEmployee(segments[2]);
      return method == "GET" ? ListDocuments(*employee) : UploadDocument(*employee);
    }
    return Error(404, absl::StrCat("no such path \"", path_,
                                   "\" in the GoCo API; see goco-api.md for the paths"));
  }

 private:
  static HttpResponse NotAllowed(const std::string& allowed) {
    HttpResponse response =
        Error(405, absl::StrCat("this path answers only ", allowed, "; change the method"));
    response.headers.emplace_back("Allow", allowed);
    return response;
  }

  static HttpResponse UnknownEmployee(const std::string& id) {
    return Error(404, absl::StrCat("employee \"", id,
                                   "\" not found in this company; check the id or list "
                                   "employees with GET /employees"));
  }

  HttpResponse ListCatalog(const CatalogKind& kind) {
    Json data = Json::array();
    auto it = company_.catalog.find(kind.key);
    if (it != company_.catalog.end()) {
      for (const CatalogEntry& entry : it->second) {
        data.push_back({{"id", entry.id}, {"name", entry.name}});
      }
    }
    return JsonResponse(200, Json{{"data", data}});
  }

  HttpResponse ListEmployees() {
    static const std::set<std::string> kKnown = {"first_name", "last_name", "personal_email",
                                                 "status",     "limit",     "offset"};
    std::vector<FieldError> errors;
    for (const auto& [name, value] : request_.query) {
      if (kKnown.count(name) == 0) {
        errors.push_back({name, "unknown query parameter; filters are first_name, last_name, "
                                "personal_email, status, limit, offset"});
      } else if (request_.query.count(name) > 1) {
        errors.push_back({name, "given more than once; give it once"});
      } else if (value.empty()) {
        errors.push_back({name, "is empty; leave the parameter out to not filter on it"});
      }
    }
    std::string status = Query(request_, "status").value_or("any");
    if (status != "any" && EmployeeStatuses().count(status) == 0) {
      errors.push_back({"status", "must be one of incomplete, active, terminated, any"});
    }
    int limit = kMaxPageSize;
    if (auto text = Query(request_, "limit"); text && !text->empty()) {
      if (!absl::SimpleAtoi(*text, &limit) || limit < 1 || limit > kMaxPageSize) {
        errors.push_back({"limit", "must be an integer from 1 to 100"});
      }
    }
    int64_t offset = 0;
    if (auto text = Query(request_, "offset"); text && !text->empty()) {
      if (!absl::SimpleAtoi(*text, &offset) || offset < 0) {
        errors.push_back({"offset", "must be an integer of 0 or more"});
      }
    }
    if (!errors.empty()) return ValidationError(errors);

    Json data = Json::array();
    int64_t total = 0;
    for (const Employee& employee : company_.employees) {
      bool match = status == "any" || employee.status == status;
      for (const char* field : {"first_name", "last_name", "personal_email"}) {
        std::optional<std::string> want = Query(request_, field);
        if (!want) continue;
        auto it = employee.fields.find(field);
        match = match && it != employee.fields.end() && it->is_string() &&
                it->get<std::string>() == *want;
      }
      if (!match) continue;
      if (total >= offset && static_cast<int64_t>(data.size()) < limit) {
        data.push_back(EmployeeJson(employee));
      }
      ++total;
    }
    return JsonResponse(200, Json{{"data", data}, {"total", total}});
  }

  HttpResponse CreateEmployee() {
    std::optional<std::string> key = Header(request_, "idempotency-key");
    std::string fingerprint = Fingerprint(request_.body);
    if (key) {
      if (key->empty() || key->size() > kMaxIdempotencyKeyChars) {
        return ValidationError({{"Idempotency-Key", "must be 1 to 255 characters"}});
      }
      auto it = company_.idempotency.find(*key);
      if (it != company_.idempotency.end() && now_ - it->second.at < kIdempotencyTtl) {
        if (it->second.fingerprint != fingerprint) {
          return Error(409, "idempotency_key_reused",
                       "this Idempotency-Key was already used with a different body within "
                       "24 h; send the same body to get the first answer again, or use a new "
                       "key for a different employee");
        }
        HttpResponse replay;
        replay.status = it->second.status;
        replay.body = it->second.body;
        replay.headers.emplace_back("Idempotent-Replayed", "true");
        return replay;
      }
    }
    Json body = Json::parse(request_.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return Error(400, "the body must be a JSON object with the employee's fields, sent as "
                        "application/json");
    }
    std::vector<FieldError> errors = ValidateEmployee(company_, body, false);
    if (!errors.empty()) return ValidationError(errors);
    Employee& employee = add_employee_(body);
    HttpResponse response = JsonResponse(201, EmployeeJson(employee));
    if (key) company_.idempotency[*key] = {fingerprint, response.status, response.body, now_};
    return response;
  }

  HttpResponse ListDocuments(const Employee& employee) {
    Json data = Json::array();
    for (const Document& document : employee.documents) data.push_back(DocumentJson(document));
    return JsonResponse(200, Json{{"data", data}});
  }

  HttpResponse UploadDocument(Employee& employee) {
    if (!request_.multipart) {
      return ValidationError({{"file", "missing; send multipart/form-data with a file part"},
                              {"category", "missing; send a category part"}});
    }
    std::vector<FieldError> errors;
    const FormPart* file = nullptr;
    const FormPart* category = nullptr;
    for (const FormPart& part : request_.parts) {
      const FormPart** slot =
          part.name == "file" ? &file : part.name == "category" ? &category : nullptr;
      if (slot == nullptr) {
        errors.push_back({part.name, "unknown part; send only file and category"});
      } else if (*slot != nullptr) {
        errors.push_back({part.name, "sent more than once; send one"});
      } else {
        *slot = &part;
      }
    }
    if (file != nullptr && static_cast<int64_t>(file->content.size()) > kMaxDocumentBytes) {
      return Error(413, absl::StrCat("the file is ", file->content.size(),
                                     " bytes; GoCo accepts at most 25 MiB (", kMaxDocumentBytes,
                                     " bytes) a file: upload a smaller file"));
    }
    if (file == nullptr) {
      errors.push_back({"file", "missing; send the document as a part named file"});
    } else {
      if (file->filename.empty()) errors.push_back({"file", "the file part needs a filename"});
      if (file->content_type.empty()) {
        errors.push_back({"file", "the file part needs a Content-Type"});
      }
      if (file->content.empty()) errors.push_back({"file", "is empty; send the file's bytes"});
    }
    if (category == nullptr) {
      errors.push_back({"category", "missing; send a part named category"});
    } else if (DocumentCategories().count(category->content) == 0) {
      errors.push_back(
          {"category",
           "must be one of resume, cover_letter, offer_letter, signed_offer_letter, other"});
    }
    if (!errors.empty()) return ValidationError(errors);

    Document document;
    document.id = absl::StrCat("doc_", next_document_++);
    document.employee_id = employee.id;
    document.filename = file->filename;
    document.content_type = file->content_type;
    document.category = category->content;
    document.size_bytes = static_cast<int64_t>(file->content.size());
    document.sha256 = Sha256Hex(file->content);
    document.created_at = Rfc3339(now_);
    employee.documents.push_back(document);
    return JsonResponse(201, DocumentJson(document));
  }

  Company& company_;
  const HttpRequest& request_;
  std::string path_;
  absl::Time now_;
  int64_t& next_document_;
  std::function<Employee&(const Json&)> add_employee_;
};

}  // namespace

HttpResponse Sandbox::Handle(const HttpRequest& request) {
  if (absl::StartsWith(request.path, kSandboxPrefix)) {
    return HandleTestApi(request);
  }
  if (!absl::StartsWith(request.path, kContractPrefix)) {
    return Error(404, absl::StrCat("no such path \"", request.path,
                                   "\"; the GoCo API is under /v1/companies/{company}/ and the "
                                   "test API under /_sandbox/"));
  }
  std::string rest = request.path.substr(sizeof(kContractPrefix) - 1);
  size_t slash = rest.find('/');
  std::string company_name = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash);

  std::vector<std::pair<std::string, std::string>> rate_headers;
  std::optional<HttpResponse> injected;
  int64_t latency_ms = 0;
  bool drop = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    absl::Time now = clock_();
    Company* company = state_->Find(company_name);
    if (company == nullptr) {
      HttpResponse response = Error(
          404, absl::StrCat("company \"", company_name,
                            "\" not found; check the company URL name in the GoCo base URL"));
      response.headers = State::FreshWindowHeaders(RateLimit(), now);
      return response;
    }
    ++company->requests[{request.method, path}];
    std::optional<std::string> key = BearerKey(request);
    if (!key || key->empty() ||
        std::find(company->keys.begin(), company->keys.end(), *key) == company->keys.end()) {
      HttpResponse response = Error(
          401, key ? "the API key is not valid for this company (wrong, regenerated or revoked); "
                     "create a key under Marketplace > API Credentials and update the connection"
                   : "missing Authorization header; send \"Authorization: Bearer <api key>\"");
      response.headers = State::FreshWindowHeaders(company->rate_limit, now);
      return response;
    }
    int64_t retry_after = 0;
    if (!state_->Admit(*company, *key, now, rate_headers, retry_after)) {
      HttpResponse response =
          Error(429, absl::StrCat("rate limit of ", company->rate_limit.limit, " calls per ",
                                  company->rate_limit.window_seconds,
                                  " s exceeded for this API key; retry after ", retry_after,
                                  " s and slow down before the limit"));
      response.headers = rate_headers;
      response.headers.emplace_back("Retry-After", absl::StrCat(retry_after));
      return response;
    }
    bool latency_taken = false;
    bool outcome_taken = false;
    for (Fault& fault : company->faults) {
      if (fault.remaining <= 0 || !PathMatches(fault.path, path) ||
          (!fault.method.empty() && fault.method != request.method)) {
        continue;
      }
      if (fault.kind == FaultKind::kLatency) {
        if (latency_taken) continue;
        latency_taken = true;
        latency_ms = fault.latency_ms;
      } else {
        if (outcome_taken) continue;
        outcome_taken = true;
        if (fault.kind == FaultKind::kDrop) {
          drop = true;
        } else {
          HttpResponse response =
              Error(fault.status, absl::StrCat("injected fault: the sandbox answers ",
                                               fault.status, " to this call; retry later"));
          if (fault.retry_after_seconds > 0) {
            response.headers.emplace_back("Retry-After", absl::StrCat(fault.retry_after_seconds));
          }
          injected = std::move(response);
        }
      }
      --fault.remaining;
    }
    company->faults.erase(std::remove_if(company->faults.begin(), company->faults.end(),
                                         [](const Fault& f) { return f.remaining <= 0; }),
                          company->faults.end());
  }
  if (latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(latency_ms));

  HttpResponse response;
  if (injected) {
    response = *std::move(injected);
  } else {
    std::lock_guard<std::mutex> lock(mutex_);
    Company* company = state_->Find(company_name);
    if (company == nullptr) {
      response = Error(404, absl::StrCat("company \"", company_name,
                                         "\" not found; check the company URL name"));
    } else {
      absl::Time now = clock_();
      State* state = state_.get();
      ContractCall call(*company, request, path, now, state->next_document,
                        [state, company, now](const Json& body) -> Employee& {
                          return state->AddEmployee(*company, body, now);
                        });
      response = call.Route();
    }
  }
  response.headers.insert(response.headers.begin(), rate_headers.begin(), rate_headers.end());
  response.drop_connection = drop;
  return response;
}

}  // namespace hiresync::goco_sandbox

namespace hiresync::goco_sandbox {
namespace {

absl::StatusOr<Fault> ParseFault(const Json& body) {
  Fault fault;
  int kinds = 0;
  for (const auto& [key, value] : body.items()) {
    if (key == "method") {
      if (!value.is_string()) return absl::InvalidArgumentError("\"method\" must be a string");
      fault.method = absl::AsciiStrToUpper(value.get<std::string>());
      if (fault.method == "*") fault.method.clear();
    } else if (key == "path") {
      if (!value.is_string() || !absl::StartsWith(value.get<std::string>(), "/")) {
        return absl::InvalidArgumentError(
            "\"path\" must be a path relative to the company base, like \"/employees\"");
      }
      fault.path = value.get<std::string>();
    } else if (key == "count") {
      auto count = PositiveInteger(value, "count", 1000000);
      if (!count.ok()) return count.status();
      fault.remaining = *count;
    } else if (key == "status") {
      if (!value.is_number_integer() || value.get<int64_t>() < 400 ||
          value.get<int64_t>() > 599) {
        return absl::InvalidArgumentError("\"status\" must be an HTTP error status, 400 to 599");
      }
      fault.kind = FaultKind::kStatus;
      fault.status = value.get<int>();
      ++kinds;
    } else if (key == "retry_after_seconds") {
      auto seconds = PositiveInteger(value, "retry_after_seconds", 86400);
      if (!seconds.ok()) return seconds.status();
      fault.retry_after_seconds = *seconds;
    } else if (key == "latency_ms") {
      auto ms = PositiveInteger(value, "latency_ms", 120000);
      if (!ms.ok()) return ms.status();
      fault.kind = FaultKind::kLatency;
      fault.latency_ms = *ms;
      ++kinds;
    } else if (key == "drop_after_commit") {
      if (!value.is_boolean() || !value.get<bool>()) {
        return absl::InvalidArgumentError("\"drop_after_commit\" must be true");
      }
      fault.kind = FaultKind::kDrop;
      ++kinds;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown fault key \"", key,
          "\"; use method, path, count and one of status, latency_ms, drop_after_commit"));
    }
  }
  if (kinds != 1) {
    return absl::InvalidArgumentError(
        "a fault needs exactly one of status, latency_ms, drop_after_commit (or post "
        "{\"rate_limit\": {\"limit\": N, \"window_seconds\": S}} alone)");
  }
  if (fault.path.empty()) return absl::InvalidArgumentError("a fault needs a \"path\"");
  if (fault.status == 429 && fault.retry_after_seconds == 0) fault.retry_after_seconds = 1;
  return fault;
}

Json FaultJson(const Fault& fault) {
  Json json = {{"method", fault.method.empty() ? "*" : fault.method},
               {"path", fault.path},
               {"count", fault.remaining}};
  switch (fault.kind) {
    case FaultKind::kStatus:
      json["status"] = fault.status;
      if (fault.retry_after_seconds > 0) json["retry_after_seconds"] = fault.retry_after_seconds;
      break;
    case FaultKind::kLatency:
      json["latency_ms"] = fault.latency_ms;
      break;
    case FaultKind::kDrop:
      json["drop_after_commit"] = true;
      break;
  }
  return json;
}

Json FaultsJson(const Company& company) {
  Json faults = Json::array();
  for (const Fault& fault : company.faults) faults.push_back(FaultJson(fault));
  Json rate_limit = nullptr;
  if (company.rate_limit.configured) {
    rate_limit = {{"limit", company.rate_limit.limit},
                  {"window_seconds", company.rate_limit.window_seconds}};
  }
  return Json{{"faults", faults}, {"rate_limit", rate_limit}};
}

}  // namespace

HttpResponse Sandbox::HandleTestApi(const HttpRequest& request) {
  const std::string& method = request.method;
  const std::string route = request.path.substr(sizeof(kSandboxPrefix) - 2);
  if (route == "/healthz") {
    return method == "GET" ? JsonResponse(200, Json{{"status", "ok"}})
                           : Error(405, "use GET /_sandbox/healthz");
  }
  std::string company_name = Query(request, "company").value_or(kDefaultCompany);
  if (company_name.empty()) {
    return Error(400, "the company query parameter is empty; leave it out for \"demo\"");
  }
  auto parse_body = [&]() -> std::optional<Json> {
    Json body = Json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return std::nullopt;
    return body;
  };
  auto not_allowed = [&](const std::string& allowed) {
    return Error(405, absl::StrCat("/_sandbox", route, " answers only ", allowed));
  };
  const std::string bad_json = "the body must be a JSON object; see tests/sandboxes/goco/README.md";

  std::lock_guard<std::mutex> lock(mutex_);
  absl::Time now = clock_();
  Company& company = state_->GetOrCreate(company_name);

  if (route == "/reset") {
    if (method != "POST") return not_allowed("POST");
    Company fresh;
    fresh.startup_keys = company.startup_keys;
    fresh.keys = company.startup_keys;
    company = std::move(fresh);
    return JsonResponse(200, Json{{"company", company_name}, {"reset", true}});
  }
  if (route == "/catalog") {
    if (method == "GET") {
      Json catalog = Json::object();
      for (const CatalogKind& kind : kCatalogKinds) {
        Json entries = Json::array();
        for (const CatalogEntry& entry : company.catalog[kind.key]) {
          entries.push_back({{"id", entry.id}, {"name", entry.name}});
        }
        catalog[kind.key] = entries;
      }
      return JsonResponse(200, catalog);
    }
    if (method != "PUT") return not_allowed("GET, PUT");
    std::optional<Json> body = parse_body();
    if (!body) return Error(400, bad_json);
    auto catalog = ParseCatalog(*body);
    if (!catalog.ok()) return Error(400, std::string(catalog.status().message()));
    company.catalog = *std::move(catalog);
    Json answer = Json::object();
    for (const CatalogKind& kind : kCatalogKinds) {
      Json entries = Json::array();
      for (const CatalogEntry& entry : company.catalog[kind.key]) {
        entries.push_back({{"id", entry.id}, {"name", entry.name}});
      }
      answer[kind.key] = entries;
    }
    return JsonResponse(200, answer);
  }
  if (route == "/api-keys") {
    if (method != "PUT") return not_allowed("PUT");
    std::optional<Json> body = parse_body();
    if (!body || !body->contains("keys") || body->size() != 1) {
      return Error(400, "the body must be {\"keys\": [\"<api key>\", ...]}");
    }
    auto keys = ParseKeys((*body)["keys"]);
    if (!keys.ok()) return Error(400, std::string(keys.status().message()));
    company.keys = *std::move(keys);
    company.windows.clear();
    return JsonResponse(200, Json{{"company", company_name}, {"keys", company.keys.size()}});
  }
  if (route == "/employees") {
    if (method == "GET") {
      Json data = Json::array();
      for (const Employee& employee : company.employees) {
        Json json = EmployeeJson(employee);
        Json documents = Json::array();
        for (const Document& document : employee.documents) {
          documents.push_back(DocumentJson(document));
        }
        json["documents"] = documents;
        data.push_back(json);
      }
      return JsonResponse(200, Json{{"data", data}, {"count", company.employees.size()}});
    }
    if (method != "POST") return not_allowed("GET, POST");
    std::optional<Json> body = parse_body();
    if (!body) return Error(400, bad_json);
    std::vector<FieldError> errors = ValidateEmployee(company, *body, true);
    if (!errors.empty()) return ValidationError(errors);
    return JsonResponse(201, EmployeeJson(state_->AddEmployee(company, *body, now)));
  }
  if (route == "/requests") {
    if (method != "GET") return not_allowed("GET");
    std::optional<std::string> want_path = Query(request, "path");
    std::string want_method = absl::AsciiStrToUpper(Query(request, "method").value_or(""));
    int64_t count = 0;
    Json requests = Json::array();
    for (const auto& [call, calls] : company.requests) {
      if (want_path && !PathMatches(*want_path, call.second)) continue;
      if (!want_method.empty() && want_method != call.first) continue;
      count += calls;
      requests.push_back({{"method", call.first}, {"path", call.second}, {"count", calls}});
    }
    return JsonResponse(200, Json{{"count", count}, {"requests", requests}});
  }
  if (route == "/faults") {
    if (method == "GET") return JsonResponse(200, FaultsJson(company));
    if (method == "DELETE") {
      company.faults.clear();
      company.rate_limit = RateLimit();
      company.windows.clear();
      return JsonResponse(200, FaultsJson(company));
    }
    if (method != "POST") return not_allowed("GET, POST, DELETE");
    std::optional<Json> body = parse_body();
    if (!body) return Error(400, bad_json);
    if (body->contains("rate_limit")) {
      const Json& spec = (*body)["rate_limit"];
      if (body->size() != 1 || !spec.is_object() || spec.size() != 2 ||
          !spec.contains("limit") || !spec.contains("window_seconds")) {
        return Error(400, "post the rate limit alone, as {\"rate_limit\": {\"limit\": 5, "
                          "\"window_seconds\": 10}}");
      }
      auto limit = PositiveInteger(spec["limit"], "limit", kRateLimitOff);
      auto window = PositiveInteger(spec["window_seconds"], "window_seconds", 86400);
      if (!limit.ok()) return Error(400, std::string(limit.status().message()));
      if (!window.ok()) return Error(400, std::string(window.status().message()));
      company.rate_limit = {*limit, *window, true};
      company.windows.clear();
      return JsonResponse(200, FaultsJson(company));
    }
    auto fault = ParseFault(*body);
    if (!fault.ok()) return Error(400, std::string(fault.status().message()));
    company.faults.push_back(*std::move(fault));
    return JsonResponse(200, FaultsJson(company));
  }
  return Error(404, absl::StrCat("no such test API path \"", request.path,
                                 "\"; see tests/sandboxes/goco/README.md"));
}

}  // namespace hiresync::goco_sandbox
