// The Harvest v3 data the sandbox serves (users, candidates, applications, offers,
// attachments, notes) plus OAuth clients, issued tokens and pagination cursors, in memory
// behind one mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tests/sandboxes/greenhouse/harvest_seed.h"
#include "tests/sandboxes/greenhouse/rate_limiter.h"

namespace hiresync::greenhouse_sandbox {

inline constexpr int64_t kDefaultTokenTtlSeconds = 3600;

// What a bearer token stands for.
struct TokenGrant {
  std::string client_id;
  int64_t user_id = 0;
  bool site_admin = false;
  std::set<std::string> scopes;
};

struct IssuedToken {
  std::string access_token;
  int64_t expires_in = 0;
};

// A list request to continue: the endpoint, its (validated) filters and where to resume.
struct Cursor {
  std::string path;
  std::map<std::string, std::string> params;
  size_t offset = 0;
  size_t per_page = 0;
};

struct FieldError {
  std::string field;
  std::string message;
};

using IdSet = std::optional<std::set<int64_t>>;

class HarvestState {
 public:
  using Clock = std::function<absl::Time()>;

  explicit HarvestState(Clock clock = absl::Now) : clock_(std::move(clock)) {}

  // Adds or replaces records by id (clients by client_id) and takes the seed's settings.
  void Merge(const Seed& seed);
  // Forgets everything (notes, tokens, cursors, settings), then merges `base`.
  void Reset(const Seed& base);

  // The client when `client_id` is known and `secret` matches.
  std::optional<OAuthClient> AuthenticateClient(const std::string& client_id,
                                                const std::string& secret) const;
  bool HasUser(int64_t id) const;
  IssuedToken IssueToken(const OAuthClient& client, int64_t user_id);
  // nullopt when the token is unknown or expired.
  std::optional<TokenGrant> Authenticate(const std::string& access_token) const;
  // Expires every token issued so far; returns how many were live.
  int64_t ExpireTokens();
  RateLimitConfig rate_limit() const;

  // Each list is sorted by id; an absent filter matches everything.
  nlohmann::json Users(const std::optional<std::string>& primary_email) const;
  nlohmann::json Candidates(const IdSet& ids) const;
  nlohmann::json Applications(const IdSet& candidate_ids) const;
  // `current_only` keeps the highest version of each application's offer.
  nlohmann::json Offers(const IdSet& application_ids, bool current_only) const;
  // Includes the sandbox-only "file" and "url_ttl_seconds" fields.
  nlohmann::json Attachments(const IdSet& candidate_ids) const;
  // Oldest first.
  nlohmann::json Notes(const IdSet& candidate_ids) const;

  // Stores the note and returns it, or fills `errors` (one per bad field) and returns nullopt.
  std::optional<nlohmann::json> CreateNote(const nlohmann::json& request,
                                           std::vector<FieldError>* errors);

  std::string SaveCursor(Cursor cursor);
  std::optional<Cursor> FindCursor(const std::string& token) const;

 private:
  struct Token {
    std::string client_id;
    int64_t user_id = 0;
    absl::Time expires_at;
  };
  void ClearLocked();
  void MergeLocked(const Seed& seed);

  Clock clock_;
  mutable std::mutex mu_;
  std::map<int64_t, nlohmann::json> users_;
  std::map<int64_t, nlohmann::json> candidates_;
  std::map<int64_t, nlohmann::json> applications_;
  std::map<int64_t, nlohmann::json> offers_;
  std::map<int64_t, nlohmann::json> attachments_;
  std::map<std::string, OAuthClient> clients_;
  std::map<std::string, Token> tokens_;
  std::map<std::string, Cursor> cursors_;
  std::vector<nlohmann::json> notes_;
  int64_t next_note_id_ = 1;
  int64_t token_ttl_seconds_ = kDefaultTokenTtlSeconds;
  RateLimitConfig rate_limit_;
};

}  // namespace hiresync::greenhouse_sandbox
