#include "tests/sandboxes/greenhouse/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace hiresync::greenhouse_sandbox {

RateLimiter::Window& RateLimiter::CurrentWindow(const std::string& client,
                                                const RateLimitConfig& config, absl::Time now) {
  Window& window = windows_[client];
  if (window.used == 0 || now >= window.start + absl::Seconds(config.window_seconds)) {
    // Windows start on a whole second so X-RateLimit-Reset is exact.
    window.start = absl::FromUnixSeconds(absl::ToUnixSeconds(now));
    window.used = 0;
  }
  return window;
}

RateLimitDecision RateLimiter::Describe(const Window& window, const RateLimitConfig& config,
                                        absl::Time now, bool allowed) const {
  const absl::Time reset = window.start + absl::Seconds(config.window_seconds);
  RateLimitDecision decision;
  decision.allowed = allowed;
  decision.limit = config.limit;
  decision.remaining = std::max<int64_t>(0, config.limit - window.used);
  decision.reset_epoch = absl::ToUnixSeconds(reset);
  decision.retry_after_seconds =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(reset - now))));
  return decision;
}

RateLimitDecision RateLimiter::Consume(const std::string& client, const RateLimitConfig& config) {
  const absl::Time now = clock_();
  std::lock_guard lock(mu_);
  Window& window = CurrentWindow(client, config, now);
  if (window.used >= config.limit) return Describe(window, config, now, false);
  ++window.used;
  return Describe(window, config, now, true);
}

RateLimitDecision RateLimiter::Peek(const std::string& client, const RateLimitConfig& config) {
  const absl::Time now = clock_();
  std::lock_guard lock(mu_);
  Window& window = CurrentWindow(client, config, now);
  return Describe(window, config, now, window.used < config.limit);
}

void RateLimiter::Clear() {
  std::lock_guard lock(mu_);
  windows_.clear();
}

}  // namespace hiresync::greenhouse_sandbox
