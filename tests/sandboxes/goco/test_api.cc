// The test API under /_sandbox/ (README.md): reset, catalog, keys, seeding, faults.
#include <algorithm>
#include <memory>
#include <optional>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/sandboxes/goco/model.h"
#include "tests/sandboxes/goco/sandbox.h"

namespace hiresync::goco_sandbox {
namespace {

// A non-negative integer up to `max` (0 allowed, unlike PositiveInteger).
absl::StatusOr<int64_t> NonNegativeInteger(const Json& json, const char* name, int64_t max) {
  if (!json.is_number_integer() || json.get<int64_t>() < 0 || json.get<int64_t>() > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", name, "\" must be an integer from 0 to ", max));
  }
  return json.get<int64_t>();
}

absl::StatusOr<Fault> ParseFault(const Json& body) {
  constexpr int64_t kMaxLatencyMs = 120000;
  Fault fault;
  int kinds = 0;
  bool has_count = false;
  std::optional<int64_t> latency_min, latency_max;
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
      has_count = true;
    } else if (key == "probability") {
      if (!value.is_number() || !(value.get<double>() > 0.0) || value.get<double>() > 1.0) {
        return absl::InvalidArgumentError(
            "\"probability\" must be a number above 0 and at most 1 (the chance each matching "
            "call is affected)");
      }
      fault.probability = value.get<double>();
    } else if (key == "seed") {
      if (!value.is_number_unsigned()) {
        return absl::InvalidArgumentError(
            "\"seed\" must be a non-negative integer (it makes a probabilistic fault's draws "
            "repeatable)");
      }
      fault.seed = value.get<uint64_t>();
    } else if (key == "status") {
      if (!value.is_number_integer() || value.get<int64_t>() < 400 || value.get<int64_t>() > 599) {
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
      auto ms = PositiveInteger(value, "latency_ms", kMaxLatencyMs);
      if (!ms.ok()) return ms.status();
      fault.kind = FaultKind::kLatency;
      fault.latency_ms = *ms;
      ++kinds;
    } else if (key == "latency_ms_min") {
      auto ms = NonNegativeInteger(value, "latency_ms_min", kMaxLatencyMs);
      if (!ms.ok()) return ms.status();
      latency_min = *ms;
    } else if (key == "latency_ms_max") {
      auto ms = PositiveInteger(value, "latency_ms_max", kMaxLatencyMs);
      if (!ms.ok()) return ms.status();
      latency_max = *ms;
    } else if (key == "drop_after_commit") {
      if (!value.is_boolean() || !value.get<bool>()) {
        return absl::InvalidArgumentError("\"drop_after_commit\" must be true");
      }
      fault.kind = FaultKind::kDrop;
      ++kinds;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown fault key \"", key,
          "\"; use method, path, count or probability (and seed), and one of status, latency_ms, "
          "latency_ms_min + latency_ms_max, drop_after_commit"));
    }
  }
  if (latency_min.has_value() != latency_max.has_value()) {
    return absl::InvalidArgumentError(
        "a random latency needs both \"latency_ms_min\" and \"latency_ms_max\"");
  }
  if (latency_max) {
    if (*latency_min > *latency_max) {
      return absl::InvalidArgumentError("\"latency_ms_min\" must not be above \"latency_ms_max\"");
    }
    fault.kind = FaultKind::kLatency;
    fault.latency_ms_min = *latency_min;
    fault.latency_ms_max = *latency_max;
    ++kinds;
  }
  if (kinds != 1) {
    return absl::InvalidArgumentError(
        "a fault needs exactly one of status, latency_ms, latency_ms_min + latency_ms_max, "
        "drop_after_commit (or post {\"rate_limit\": {\"limit\": N, \"window_seconds\": S}} "
        "alone)");
  }
  if (fault.path.empty()) return absl::InvalidArgumentError("a fault needs a \"path\"");
  if (fault.probability && has_count) {
    return absl::InvalidArgumentError(
        "a fault has either \"count\" (the next N calls) or \"probability\" (each call, with no "
        "limit), not both");
  }
  if (fault.seed && !fault.probability) {
    return absl::InvalidArgumentError("\"seed\" only applies to a fault with \"probability\"");
  }
  if (fault.probability || fault.latency_ms_max > 0) {
    fault.rng =
        std::make_shared<std::mt19937_64>(fault.seed ? *fault.seed : std::random_device{}());
  }
  if (fault.status == 429 && fault.retry_after_seconds == 0) fault.retry_after_seconds = 1;
  return fault;
}

Json FaultJson(const Fault& fault) {
  Json json = {{"method", fault.method.empty() ? "*" : fault.method}, {"path", fault.path}};
  if (fault.probability) {
    json["probability"] = *fault.probability;
    if (fault.seed) json["seed"] = *fault.seed;
  } else {
    json["count"] = fault.remaining;
  }
  switch (fault.kind) {
    case FaultKind::kStatus:
      json["status"] = fault.status;
      if (fault.retry_after_seconds > 0) json["retry_after_seconds"] = fault.retry_after_seconds;
      break;
    case FaultKind::kLatency:
      if (fault.latency_ms_max > 0) {
        json["latency_ms_min"] = fault.latency_ms_min;
        json["latency_ms_max"] = fault.latency_ms_max;
      } else {
        json["latency_ms"] = fault.latency_ms;
      }
      break;
    case FaultKind::kDrop:
      json["drop_after_commit"] = true;
      break;
  }
  json["matched"] = fault.matched;
  json["fired"] = fault.fired;
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
    if (method == "GET") return JsonResponse(200, CatalogJson(company));
    if (method != "PUT") return not_allowed("GET, PUT");
    std::optional<Json> body = parse_body();
    if (!body) return Error(400, bad_json);
    auto catalog = ParseCatalog(*body);
    if (!catalog.ok()) return Error(400, std::string(catalog.status().message()));
    company.catalog = *std::move(catalog);
    return JsonResponse(200, CatalogJson(company));
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
      if (body->size() != 1 || !spec.is_object() || spec.size() != 2 || !spec.contains("limit") ||
          !spec.contains("window_seconds")) {
        return Error(400,
                     "post the rate limit alone, as {\"rate_limit\": {\"limit\": 5, "
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
