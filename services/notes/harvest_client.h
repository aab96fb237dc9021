// The Greenhouse Harvest v3 client: every Harvest path and field name, the OAuth token
// and the rate-limit handling live in harvest_client.cc and nowhere else.
// httplib stays out of this header.
//
// The note author: Harvest v3 tokens are issued for a user (`sub` = a Greenhouse user
// id), and looking a user up by email already needs a token, so the id cannot be found
// from the email alone. The connection therefore names the author by id
// (greenhouse.note_author_user_id), which is the token's `sub` and the note's user_id;
// greenhouse.note_author_email, when given, is only checked against that id (GET
// /v3/users?primary_email=) once per client and by `hiresync-notes --check_connection`.
//
// Errors (absl::Status codes) tell the caller what to do:
//   UNAVAILABLE          Harvest did not answer, answered 5xx, or kept answering 429: retry.
//   FAILED_PRECONDITION  the connection's settings are wrong (credentials, scopes, author):
//                        the message says what to change; retrying will not help.
//   INVALID_ARGUMENT     Harvest refused the request's data (422); the message is Harvest's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/time/clock.h"

namespace hiresync::notes {

inline constexpr char kDefaultHarvestBaseUrl[] = "https://harvest.greenhouse.io/v3";
inline constexpr char kDefaultTokenUrl[] = "https://auth.greenhouse.io/token";

struct HarvestSettings {
  std::string connection_id;  // named in error messages
  std::string client_id;
  std::string client_secret;
  std::string base_url = kDefaultHarvestBaseUrl;  // e.g. http://127.0.0.1:8091/v3
  std::string token_url = kDefaultTokenUrl;       // e.g. http://127.0.0.1:8091/token
  int64_t author_user_id = 0;
  std::string author_email;  // empty: nothing to verify
};

struct HarvestOptions {
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration read_timeout = absl::Seconds(20);
  absl::Duration write_timeout = absl::Seconds(20);
  // The longest single wait for a rate-limit window or a Retry-After.
  absl::Duration max_rate_limit_wait = absl::Seconds(60);
  // How many times a call answered 429 is sent again.
  int max_429_retries = 3;
  // A token is renewed this long before it expires.
  absl::Duration token_renew_margin = absl::Seconds(60);
  // Notes asked for per page (Harvest allows 1..500), and pages read at most.
  int notes_per_page = 500;
  int max_pages = 100;
  // PEM file of the CAs that may sign Greenhouse's (and, for the connection check, GoCo's)
  // certificates; empty: the system's trust store.
  std::string ca_bundle;
};

struct HarvestNote {
  int64_t id = 0;
  int64_t candidate_id = 0;
  std::string body;
  std::string visibility;
  int64_t user_id = 0;
};

// The calls the notes service makes to one Greenhouse organization; an interface so the
// logic can be tested.
class HarvestApi {
 public:
  virtual ~HarvestApi() = default;
  // Checks that the configured author id and email are the same Greenhouse user; the
  // answer is cached once it succeeded.
  virtual absl::Status VerifyAuthor() = 0;
  // Every note on the candidate, oldest first, across all pages.
  virtual absl::StatusOr<std::vector<HarvestNote>> ListNotes(int64_t candidate_id) = 0;
  // `visibility`: admin_only, private or public. Written as the author.
  virtual absl::StatusOr<HarvestNote> CreateNote(int64_t candidate_id, const std::string& body,
                                                 const std::string& visibility) = 0;
};

// One connection's Harvest client. Thread-safe: calls are serialized, so the rate limit
// is honoured per connection.
class HarvestClient : public HarvestApi {
 public:
  static absl::StatusOr<std::unique_ptr<HarvestClient>> Create(HarvestSettings settings,
                                                               std::shared_ptr<time::Clock> clock,
                                                               HarvestOptions options = {});
  ~HarvestClient() override;

  absl::Status VerifyAuthor() override;
  absl::StatusOr<std::vector<HarvestNote>> ListNotes(int64_t candidate_id) override;
  absl::StatusOr<HarvestNote> CreateNote(int64_t candidate_id, const std::string& body,
                                         const std::string& visibility) override;

  // Gets a token now (renewing a cached one); for the connection check.
  absl::Status CheckToken();

 private:
  struct Impl;
  explicit HarvestClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hiresync::notes
