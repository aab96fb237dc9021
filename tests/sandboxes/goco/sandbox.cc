#include "tests/sandboxes/goco/sandbox.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/sandboxes/goco/contract_api.h"
#include "tests/sandboxes/goco/model.h"

namespace hiresync::goco_sandbox {

Sandbox::Sandbox(Clock clock)
    : state_(std::make_unique<SandboxState>()), clock_(std::move(clock)) {}

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
      return absl::InvalidArgumentError(
          absl::StrCat("seed company \"", name, "\" must be an object"));
    }
    for (const auto& [key, unused] : spec.items()) {
      if (key != "api_keys" && key != "catalog" && key != "employees") {
        return absl::InvalidArgumentError(absl::StrCat("seed company \"", name,
                                                       "\" has unknown key \"", key,
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
  if (company == nullptr) return SandboxState::FreshWindowHeaders(RateLimit(), now);
  HttpRequest request;
  request.headers["authorization"] = authorization;
  std::optional<std::string> key = BearerKey(request);
  auto window = key ? company->windows.find(*key) : company->windows.end();
  const RateLimit& limit = company->rate_limit;
  if (window == company->windows.end() ||
      now >= window->second.start + absl::Seconds(limit.window_seconds)) {
    return SandboxState::FreshWindowHeaders(limit, now);
  }
  return {{"X-RateLimit-Limit", absl::StrCat(limit.limit)},
          {"X-RateLimit-Remaining", absl::StrCat(limit.limit - window->second.count)},
          {"X-RateLimit-Reset",
           absl::StrCat(absl::ToUnixSeconds(window->second.start) + limit.window_seconds)}};
}

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
      HttpResponse response =
          Error(404, absl::StrCat("company \"", company_name,
                                  "\" not found; check the company URL name in the GoCo base URL"));
      response.headers = SandboxState::FreshWindowHeaders(RateLimit(), now);
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
      response.headers = SandboxState::FreshWindowHeaders(company->rate_limit, now);
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
      if (fault.kind == FaultKind::kLatency ? latency_taken : outcome_taken) continue;
      ++fault.matched;
      if (fault.probability &&
          std::uniform_real_distribution<double>(0.0, 1.0)(*fault.rng) >= *fault.probability) {
        continue;
      }
      ++fault.fired;
      if (fault.kind == FaultKind::kLatency) {
        latency_taken = true;
        latency_ms = fault.latency_ms_max > 0
                         ? std::uniform_int_distribution<int64_t>(fault.latency_ms_min,
                                                                  fault.latency_ms_max)(*fault.rng)
                         : fault.latency_ms;
      } else {
        outcome_taken = true;
        if (fault.kind == FaultKind::kDrop) {
          drop = true;
        } else {
          HttpResponse response =
              Error(fault.status, absl::StrCat("injected fault: the sandbox answers ", fault.status,
                                               " to this call; retry later"));
          if (fault.retry_after_seconds > 0) {
            response.headers.emplace_back("Retry-After", absl::StrCat(fault.retry_after_seconds));
          }
          injected = std::move(response);
        }
      }
      if (!fault.probability) --fault.remaining;
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
      response = RouteContractCall(*state_, *company, request, path, clock_());
    }
  }
  response.headers.insert(response.headers.begin(), rate_headers.begin(), rate_headers.end());
  response.drop_connection = drop;
  return response;
}

}  // namespace hiresync::goco_sandbox
