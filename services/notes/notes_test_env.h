// For the notes integration tests: the real greenhouse-sandbox and goco-sandbox binaries,
// seeded, and a connections file pointing at them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "tests/support/process.h"

namespace hiresync::notes::testenv {

using Json = nlohmann::json;

inline constexpr int64_t kAuthorId = 456;
inline constexpr int64_t kOtherUserId = 789;
inline constexpr int64_t kCandidateId = 35897443;
inline constexpr char kAuthorEmail[] = "hr@acme.test";
inline constexpr char kOtherEmail[] = "other@acme.test";
inline constexpr char kClientId[] = "hs-client-7f3a";
inline constexpr char kClientSecret[] = "hs-secret-9c1e";
// A client without harvest:notes:create.
inline constexpr char kReadOnlyClientId[] = "hs-readonly-1b2c";
inline constexpr char kReadOnlySecret[] = "hs-readonly-secret-5d6e";
inline constexpr char kGoCoKey[] = "goco-key-3a4b";

class Greenhouse {
 public:
  // Starts `greenhouse-sandbox serve` on a free port and seeds two users, two OAuth
  // clients and one candidate.
  static absl::StatusOr<std::unique_ptr<Greenhouse>> Start(const std::string& log_path);

  int port() const { return port_; }
  std::string BaseUrl() const;
  std::string TokenUrl() const;
  absl::Status Seed(const Json& seed);
  absl::Status Fault(const Json& fault);
  // Calls the sandbox saw, e.g. ("POST", "/v3/notes"); -1 when it cannot say.
  int Count(const std::string& method, const std::string& path);
  // The notes on the candidate, oldest first.
  Json Notes(int64_t candidate_id);
  std::string Log() const { return process_->Log(); }

 private:
  int port_ = 0;
  std::unique_ptr<hiresync::testing::Process> process_;
};

class GoCo {
 public:
  // Starts `goco-sandbox --company demo` accepting kGoCoKey.
  static absl::StatusOr<std::unique_ptr<GoCo>> Start(const hiresync::testing::TempDir& dir);
  std::string BaseUrl() const;

 private:
  int port_ = 0;
  std::unique_ptr<hiresync::testing::Process> process_;
};

// Writes secret files and `connections.json` into `dir`; returns the config path.
// Connections: demo (public notes), private_notes, no_harvest (no Harvest credentials),
// bad_secret, other_author (email of another user), unknown_author (email of nobody),
// read_only (client lacks harvest:notes:create), bad_goco_key, no_author_id.
std::string WriteConfig(const hiresync::testing::TempDir& dir, const Greenhouse& greenhouse,
                        const std::string& goco_base_url);

}  // namespace hiresync::notes::testenv
