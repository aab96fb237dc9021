// Delivers one webhook the way Greenhouse does: HMAC-SHA256 "Signature" over the raw body,
// an optional ping first, and retries on anything but a 200.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hiresync::greenhouse_sandbox {

inline constexpr char kWebhookUserAgent[] = "Greenhouse-Webhooks/1.0 (hiresync sandbox)";
inline constexpr int kGreenhouseMaxAttempts = 7;

struct SenderOptions {
  std::string url;       // http(s)://host[:port]/path
  std::string secret;    // the webhook's secret key
  std::string event_id;  // Greenhouse-Event-ID for every attempt; a fresh uuid when empty
  bool ping = false;
  double retry_scale = 1.0;  // multiplies every retry delay (tests use 0.001)
  int max_attempts = kGreenhouseMaxAttempts;
  absl::Duration timeout = absl::Seconds(30);
};

struct SendResult {
  enum class Outcome { kDelivered, kGaveUp, kPingRejected };
  Outcome outcome = Outcome::kGaveUp;
  int attempts = 0;
  int status = 0;    // of the last response; 0 after a network error
  std::string body;  // of the last response
};

// "sha256 <lowercase hex HMAC-SHA256(secret, body)>", the Signature header's value.
std::string WebhookSignature(absl::string_view secret, absl::string_view body);

// Greenhouse's waits before attempts 2..7: 1 min, 15 min, 1 h, 2 h, 4 h, 8 h.
const std::vector<absl::Duration>& RetryDelays();

class WebhookSender {
 public:
  using Sleeper = std::function<void(absl::Duration)>;

  // Progress lines ("attempt 1: 503 ...") go to `progress`.
  WebhookSender(SenderOptions options, std::ostream& progress, Sleeper sleep = absl::SleepFor);

  // Fails only on bad options (URL, attempts, scale); delivery failures are a SendResult.
  absl::StatusOr<SendResult> Send(absl::string_view body);

 private:
  struct Response {
    int status = 0;  // 0: no response
    std::string reason;
    std::string body;
    std::string error;
  };
  Response Post(const std::string& scheme_host_port, const std::string& path,
                const std::string& event_id, absl::string_view body);

  SenderOptions options_;
  std::ostream& progress_;
  Sleeper sleep_;
};

}  // namespace hiresync::greenhouse_sandbox
