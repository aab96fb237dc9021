// Scripted failures for the Harvest routes (POST /_sandbox/faults) and the count of calls
// each route has seen (GET /_sandbox/requests).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace hiresync::greenhouse_sandbox {

struct Fault {
  std::string method;
  std::string path;
  // Answer this status instead of handling the call.
  std::optional<int> status;
  // Wait this long before handling (or failing) the call.
  int64_t latency_ms = 0;
  // Handle the call, then close the connection without answering.
  bool drop_after_commit = false;
  // Calls left to affect.
  int64_t count = 1;
};

class FaultInjector {
 public:
  // Adds `{"method","path","status"|"latency_ms"|"drop_after_commit","count"}`; refuses
  // anything else with a message naming the problem.
  absl::Status Add(const nlohmann::json& spec);
  // Forgets the scripted faults (not the call counts).
  void ClearFaults();
  // Forgets faults and call counts.
  void Reset();
  // Counts a call to `method` `path` and takes one use of the oldest fault matching it.
  std::optional<Fault> Observe(const std::string& method, const std::string& path);
  // Calls seen on `path`, with `method` only when it is not empty.
  int64_t Count(const std::string& method, const std::string& path) const;
  int64_t Pending() const;

 private:
  mutable std::mutex mu_;
  std::vector<Fault> faults_;
  std::map<std::pair<std::string, std::string>, int64_t> counts_;
};

}  // namespace hiresync::greenhouse_sandbox
