// The seed document for the Harvest part of the sandbox (PUT /_sandbox/seed, serve --seed):
// users, OAuth clients, candidates, applications, offers, attachments and settings.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "tests/sandboxes/greenhouse/rate_limiter.h"

namespace hiresync::greenhouse_sandbox {

struct OAuthClient {
  std::string client_id;
  std::string client_secret;
  std::set<std::string> scopes;
};

struct Seed {
  // Records as Harvest v3 returns them; each has an integer "id".
  std::vector<nlohmann::json> users;
  std::vector<nlohmann::json> candidates;
  std::vector<nlohmann::json> applications;
  std::vector<nlohmann::json> offers;
  // Also carry the sandbox-only "file" (stored attachment name) and "url_ttl_seconds".
  std::vector<nlohmann::json> attachments;
  std::vector<OAuthClient> oauth_clients;
  std::optional<int64_t> token_ttl_seconds;
  std::optional<RateLimitConfig> rate_limit;
};

// Checks `doc` and reads any client_secret_file (relative paths are taken from `base_dir`;
// empty means the working directory). Errors name the offending entry.
absl::StatusOr<Seed> ParseSeed(const nlohmann::json& doc, const std::string& base_dir);

}  // namespace hiresync::greenhouse_sandbox
