#include "tests/sandboxes/goco/model.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace hiresync::goco_sandbox {

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

std::vector<std::string> Segments(const std::string& path) { return absl::StrSplit(path, '/'); }

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

namespace {

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

}  // namespace

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
      return absl::InvalidArgumentError(
          absl::StrCat("unknown catalog key \"", key,
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

Json CatalogJson(const Company& company) {
  Json catalog = Json::object();
  for (const CatalogKind& kind : kCatalogKinds) {
    Json entries = Json::array();
    auto it = company.catalog.find(kind.key);
    if (it != company.catalog.end()) {
      for (const CatalogEntry& entry : it->second) {
        entries.push_back({{"id", entry.id}, {"name", entry.name}});
      }
    }
    catalog[kind.key] = entries;
  }
  return catalog;
}

std::string ErrorCodeForStatus(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "conflict";
    case 413:
      return "payload_too_large";
    case 422:
      return "validation_failed";
    case 429:
      return "rate_limited";
    case 500:
      return "internal_error";
    case 502:
      return "bad_gateway";
    case 503:
      return "unavailable";
    case 504:
      return "gateway_timeout";
    default:
      return status >= 500 ? "server_error" : "client_error";
  }
}

std::string ErrorBody(const std::string& code, const std::string& message) {
  return Dump(Json{{"error", {{"code", code}, {"message", message}}}});
}

Company* SandboxState::Find(const std::string& name) {
  auto it = companies.find(name);
  return it == companies.end() ? nullptr : &it->second;
}

Employee& SandboxState::AddEmployee(Company& company, const Json& body, absl::Time now) {
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

bool SandboxState::Admit(Company& company, const std::string& key, absl::Time now,
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
  headers.emplace_back(
      "X-RateLimit-Reset",
      absl::StrCat(absl::ToUnixSeconds(reset + absl::Seconds(1) - absl::Nanoseconds(1))));
  retry_after =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(reset - now))));
  return allowed;
}

std::vector<std::pair<std::string, std::string>> SandboxState::FreshWindowHeaders(
    const RateLimit& limit, absl::Time now) {
  return {{"X-RateLimit-Limit", absl::StrCat(limit.limit)},
          {"X-RateLimit-Remaining", absl::StrCat(limit.limit)},
          {"X-RateLimit-Reset", absl::StrCat(absl::ToUnixSeconds(now) + limit.window_seconds)}};
}

}  // namespace hiresync::goco_sandbox
