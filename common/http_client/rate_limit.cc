#include "common/http_client/rate_limit.h"

#include <algorithm>

#include "absl/strings/numbers.h"

namespace hiresync::http_client {

bool RateLimitHold::Wait(time::Clock& clock, absl::Duration max_wait, absl::Duration* slept) {
  absl::Time now = clock.Now();
  bool waited = hold_until_ > now;
  absl::Duration sleep = waited ? std::min(hold_until_ - now, max_wait) : absl::ZeroDuration();
  if (waited) clock.SleepFor(sleep);
  if (slept != nullptr) *slept = sleep;
  hold_until_ = absl::InfinitePast();
  return waited;
}

void RateLimitHold::SlowDownBeforeLimit(absl::string_view remaining, absl::string_view reset,
                                        int64_t slow_down_at) {
  int64_t calls_left = 0;
  int64_t reset_at = 0;
  if (absl::SimpleAtoi(remaining, &calls_left) && absl::SimpleAtoi(reset, &reset_at) &&
      calls_left <= slow_down_at) {
    HoldUntil(absl::FromUnixSeconds(reset_at));
  }
}

void RateLimitHold::HoldUntil(absl::Time until) { hold_until_ = std::max(hold_until_, until); }

std::optional<int64_t> RetryAfterSeconds(absl::string_view value) {
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(value, &seconds) || seconds < 0) return std::nullopt;
  return seconds;
}

}  // namespace hiresync::http_client
