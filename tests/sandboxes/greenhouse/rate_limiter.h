// Harvest's rate limit: a fixed window per OAuth client, reported in X-RateLimit-* headers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace hiresync::greenhouse_sandbox {

struct RateLimitConfig {
  int64_t limit = 50;
  int64_t window_seconds = 30;
};

struct RateLimitDecision {
  bool allowed = true;
  int64_t limit = 0;
  int64_t remaining = 0;
  // Epoch seconds when the window ends.
  int64_t reset_epoch = 0;
  // Whole seconds until the window ends, at least 1.
  int64_t retry_after_seconds = 1;
};

class RateLimiter {
 public:
  using Clock = std::function<absl::Time()>;

  explicit RateLimiter(Clock clock = absl::Now) : clock_(std::move(clock)) {}

  // Counts one call by `client`; a refused call (over the limit) is not counted.
  RateLimitDecision Consume(const std::string& client, const RateLimitConfig& config);
  // The client's current standing without counting a call.
  RateLimitDecision Peek(const std::string& client, const RateLimitConfig& config);
  void Clear();

 private:
  struct Window {
    absl::Time start;
    int64_t used = 0;
  };
  // Starts a new window when the current one is over; needs mu_.
  Window& CurrentWindow(const std::string& client, const RateLimitConfig& config, absl::Time now);
  RateLimitDecision Describe(const Window& window, const RateLimitConfig& config, absl::Time now,
                             bool allowed) const;

  Clock clock_;
  std::mutex mu_;
  std::map<std::string, Window> windows_;
};

}  // namespace hiresync::greenhouse_sandbox
