#include "tests/sandboxes/greenhouse/faults.h"

#include <set>

#include "absl/strings/str_cat.h"

namespace hiresync::greenhouse_sandbox {

absl::Status FaultInjector::Add(const nlohmann::json& spec) {
  static const std::set<std::string> kKeys = {
      "method", "path", "status", "latency_ms", "drop_after_commit", "count"};
  static const std::set<std::string> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  if (!spec.is_object()) {
    return absl::InvalidArgumentError(
        "a fault must be a JSON object like {\"method\":\"POST\",\"path\":\"/v3/notes\","
        "\"status\":503,\"count\":2}");
  }
  for (const auto& [key, value] : spec.items()) {
    if (!kKeys.count(key)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown fault field '", key,
          "'; use method, path, count and one of status, latency_ms, drop_after_commit (or "
          "{\"expire_tokens\":true} alone)"));
    }
  }
  Fault fault;
  if (!spec.contains("method") || !spec["method"].is_string() ||
      !kMethods.count(spec["method"].get<std::string>())) {
    return absl::InvalidArgumentError(
        "fault 'method' must be one of GET, POST, PUT, PATCH, DELETE (upper case)");
  }
  fault.method = spec["method"];
  if (!spec.contains("path") || !spec["path"].is_string() ||
      spec["path"].get<std::string>().rfind('/', 0) != 0 ||
      spec["path"].get<std::string>().find('?') != std::string::npos) {
    return absl::InvalidArgumentError(
        "fault 'path' must be a request path without query string, e.g. \"/v3/notes\"");
  }
  fault.path = spec["path"];
  if (spec.contains("count")) {
    if (!spec["count"].is_number_integer() || spec["count"].get<int64_t>() < 1) {
      return absl::InvalidArgumentError("fault 'count' must be a whole number of calls, 1 or more");
    }
    fault.count = spec["count"];
  }
  int effects = 0;
  if (spec.contains("status")) {
    if (!spec["status"].is_number_integer() || spec["status"].get<int>() < 200 ||
        spec["status"].get<int>() > 599) {
      return absl::InvalidArgumentError("fault 'status' must be an HTTP status from 200 to 599");
    }
    fault.status = spec["status"].get<int>();
    ++effects;
  }
  if (spec.contains("latency_ms")) {
    if (!spec["latency_ms"].is_number_integer() || spec["latency_ms"].get<int64_t>() < 0 ||
        spec["latency_ms"].get<int64_t>() > 120000) {
      return absl::InvalidArgumentError(
          "fault 'latency_ms' must be a whole number of milliseconds from 0 to 120000");
    }
    fault.latency_ms = spec["latency_ms"];
    ++effects;
  }
  if (spec.contains("drop_after_commit")) {
    if (spec["drop_after_commit"] != true) {
      return absl::InvalidArgumentError(
          "fault 'drop_after_commit' must be true (leave it out otherwise)");
    }
    if (fault.status) {
      return absl::InvalidArgumentError(
          "a fault cannot both answer a status and drop the connection after handling the "
          "call; add two faults instead");
    }
    fault.drop_after_commit = true;
    ++effects;
  }
  if (effects == 0) {
    return absl::InvalidArgumentError(
        "a fault needs an effect: status, latency_ms or drop_after_commit");
  }
  std::lock_guard lock(mu_);
  faults_.push_back(std::move(fault));
  return absl::OkStatus();
}

void FaultInjector::ClearFaults() {
  std::lock_guard lock(mu_);
  faults_.clear();
}

void FaultInjector::Reset() {
  std::lock_guard lock(mu_);
  faults_.clear();
  counts_.clear();
}

std::optional<Fault> FaultInjector::Observe(const std::string& method, const std::string& path) {
  std::lock_guard lock(mu_);
  ++counts_[{method, path}];
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->method != method || it->path != path) continue;
    Fault taken = *it;
    if (--it->count == 0) faults_.erase(it);
    return taken;
  }
  return std::nullopt;
}

int64_t FaultInjector::Count(const std::string& method, const std::string& path) const {
  std::lock_guard lock(mu_);
  int64_t total = 0;
  for (const auto& [key, count] : counts_) {
    if (key.second == path && (method.empty() || key.first == method)) total += count;
  }
  return total;
}

int64_t FaultInjector::Pending() const {
  std::lock_guard lock(mu_);
  int64_t total = 0;
  for (const Fault& fault : faults_) total += fault.count;
  return total;
}

}  // namespace hiresync::greenhouse_sandbox
