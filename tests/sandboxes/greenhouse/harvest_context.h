// What the Harvest route groups (/token, /v3, the Harvest /_sandbox routes) share: the
// state, the rate limiter, scripted faults, the attachment URL signer, and the steps every
// Harvest call goes through before its handler.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "httplib.h"
#include "tests/sandboxes/greenhouse/faults.h"
#include "tests/sandboxes/greenhouse/harvest_seed.h"
#include "tests/sandboxes/greenhouse/harvest_state.h"
#include "tests/sandboxes/greenhouse/rate_limiter.h"
#include "tests/sandboxes/greenhouse/url_signer.h"

namespace hiresync::greenhouse_sandbox {

class HarvestContext {
 public:
  using Clock = std::function<absl::Time()>;

  // `base_seed` is applied now and again after every reset.
  HarvestContext(std::string public_url, std::string url_key, Seed base_seed,
                 Clock clock = absl::Now);

  HarvestState& state() { return state_; }
  FaultInjector& faults() { return faults_; }
  const UrlSigner& signer() const { return signer_; }
  const std::string& public_url() const { return public_url_; }
  absl::Time Now() const { return clock_(); }

  // Back to the base seed: no notes, tokens, faults, counts or rate-limit windows.
  void Reset();

  // Counts the call and waits out any latency fault; returns the fault taken for this call
  // so the caller can apply its status or drop.
  std::optional<Fault> Admit(const httplib::Request& req);
  // Counts a call against `client_id`'s window and sets the X-RateLimit-* headers; when
  // over the limit, writes the 429 and returns false.
  bool ChargeRateLimit(const std::string& client_id, httplib::Response& res);
  // Sets the X-RateLimit-* headers without counting a call.
  void ShowRateLimit(const std::string& client_id, httplib::Response& res);

 private:
  Clock clock_;
  std::string public_url_;
  UrlSigner signer_;
  Seed base_seed_;
  HarvestState state_;
  RateLimiter limiter_;
  FaultInjector faults_;
};

// The answer to a call hit by a status fault; a 429 carries Retry-After: 1.
void AnswerInjectedStatus(int status, nlohmann::json body, httplib::Response& res);

// Makes the client see its connection closed without an answer: shuts the request's
// socket down, and failing that, breaks the response off after its headers.
void DropConnection(const httplib::Request& req, httplib::Response& res);

}  // namespace hiresync::greenhouse_sandbox
