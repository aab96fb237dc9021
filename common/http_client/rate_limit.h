// Rate-limit handling shared by the API clients: both GoCo and Greenhouse Harvest announce
// their window on every answer (X-RateLimit-Remaining, X-RateLimit-Reset in epoch seconds)
// and send Retry-After with a 429.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/time/clock.h"

namespace hiresync::http_client {

inline constexpr char kRateLimitRemainingHeader[] = "X-RateLimit-Remaining";
inline constexpr char kRateLimitResetHeader[] = "X-RateLimit-Reset";
inline constexpr char kRetryAfterHeader[] = "Retry-After";

// No call before a given time: the window is nearly used up, or the API asked to wait.
// Not thread-safe; a client serializes its calls and holds one of these.
class RateLimitHold {
 public:
  // Sleeps until the hold ends, but at most `max_wait`, and clears the hold. True when it
  // slept; `slept` (if given) gets how long.
  bool Wait(time::Clock& clock, absl::Duration max_wait, absl::Duration* slept = nullptr);

  // From the X-RateLimit-Remaining and X-RateLimit-Reset values of an answer: with at most
  // `slow_down_at` calls left, holds until the window resets. Values that are missing or
  // not integers hold nothing.
  void SlowDownBeforeLimit(absl::string_view remaining, absl::string_view reset,
                           int64_t slow_down_at);

  // Holds at least until `until` (a later hold already set is kept).
  void HoldUntil(absl::Time until);

 private:
  absl::Time hold_until_ = absl::InfinitePast();
};

// Retry-After in its delay-seconds form: the number, or nullopt when the value is missing or
// not a non-negative integer. What a value means beyond that is the API's own rule.
std::optional<int64_t> RetryAfterSeconds(absl::string_view value);

}  // namespace hiresync::http_client
