// The sandbox's data model and the helpers its handlers share (internal to goco-sandbox).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tests/sandboxes/goco/sandbox.h"

namespace hiresync::goco_sandbox {

using Json = nlohmann::ordered_json;

inline constexpr char kContractPrefix[] = "/v1/companies/";
inline constexpr char kSandboxPrefix[] = "/_sandbox/";
inline constexpr char kDefaultCompany[] = "demo";
inline constexpr int64_t kRateLimitOff = 1000000;
inline constexpr int64_t kRateWindowOffSeconds = 60;
inline constexpr absl::Duration kIdempotencyTtl = absl::Hours(24);
inline constexpr size_t kMaxIdempotencyKeyChars = 255;
inline constexpr int kMaxPageSize = 100;

// The four catalog kinds: path, seed/PUT key, id prefix, singular noun for messages.
struct CatalogKind {
  const char* path;
  const char* key;
  const char* prefix;
  const char* noun;
  const char* employee_field;
};
inline constexpr std::array<CatalogKind, 4> kCatalogKinds = {{
    {"/departments", "departments", "dep_", "department", "department_id"},
    {"/locations", "locations", "loc_", "location", "location_id"},
    {"/job-titles", "job_titles", "jt_", "job title", "job_title_id"},
    {"/employment-types", "employment_types", "et_", "employment type", "employment_type_id"},
}};

const std::set<std::string>& StringFields();

const std::set<std::string>& DocumentCategories();

const std::set<std::string>& EmployeeStatuses();

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
  // A latency fault waits latency_ms, or a uniform draw from [latency_ms_min, latency_ms_max]
  // when latency_ms_max > 0.
  int64_t latency_ms = 0;
  int64_t latency_ms_min = 0;
  int64_t latency_ms_max = 0;
  int64_t remaining = 1;
  // A probabilistic fault (probability set) fires on each matching call with that chance and
  // never runs out; `rng` is seeded from `seed` when one was given.
  std::optional<double> probability;
  std::optional<uint64_t> seed;
  std::shared_ptr<std::mt19937_64> rng;
  int64_t matched = 0;
  int64_t fired = 0;
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
  std::map<std::string, RateWindow> windows;                        // by API key
  std::map<std::pair<std::string, std::string>, int64_t> requests;  // (method, path) -> calls
};

// Everything the sandbox holds; guarded by Sandbox's mutex.
struct SandboxState {
  std::map<std::string, Company> companies;
  int64_t next_employee = 1;
  int64_t next_document = 1;

  Company& GetOrCreate(const std::string& name) { return companies[name]; }
  Company* Find(const std::string& name);
  // Adds a validated employee body (with "status" for seeded employees).
  Employee& AddEmployee(Company& company, const Json& body, absl::Time now);
  // Counts the call against the key's window and appends the rate-limit headers; false when
  // the key is over its limit, with `retry_after` set.
  bool Admit(Company& company, const std::string& key, absl::Time now,
             std::vector<std::pair<std::string, std::string>>& headers, int64_t& retry_after);
  static std::vector<std::pair<std::string, std::string>> FreshWindowHeaders(const RateLimit& limit,
                                                                             absl::Time now);
};

std::string Dump(const Json& json);
HttpResponse JsonResponse(int status, const Json& body);
HttpResponse Error(int status, const std::string& message);
HttpResponse Error(int status, const std::string& code, const std::string& message);
HttpResponse ValidationError(const std::vector<FieldError>& errors);
std::string Rfc3339(absl::Time time);
std::string Sha256Hex(const std::string& data);
bool IsCalendarDate(const std::string& text);
bool LooksLikeEmail(const std::string& text);
std::vector<std::string> Segments(const std::string& path);
// `pattern` matches `path` exactly, with "*" matching one non-empty segment.
bool PathMatches(const std::string& pattern, const std::string& path);
std::optional<std::string> Header(const HttpRequest& request, const std::string& name);
std::optional<std::string> Query(const HttpRequest& request, const std::string& name);
// Equal for two bodies whose JSON is equal (key order and whitespace aside); a body that is
// not JSON is compared byte for byte.
std::string Fingerprint(const std::string& body);
// The key of "Authorization: Bearer <key>"; "" for another scheme, nullopt without the header.
std::optional<std::string> BearerKey(const HttpRequest& request);
const CatalogEntry* FindCatalogEntry(const Company& company, const CatalogKind& kind,
                                     const std::string& id);
// Checks an employee body against the contract; `allow_status` for seeded employees.
std::vector<FieldError> ValidateEmployee(const Company& company, const Json& body,
                                         bool allow_status);
Json DocumentJson(const Document& document);
Json EmployeeJson(const Employee& employee);
Json CatalogJson(const Company& company);
absl::StatusOr<std::map<std::string, std::vector<CatalogEntry>>> ParseCatalog(const Json& body);
absl::StatusOr<std::vector<std::string>> ParseKeys(const Json& keys);
absl::StatusOr<int64_t> PositiveInteger(const Json& json, const char* name, int64_t max);

}  // namespace hiresync::goco_sandbox
