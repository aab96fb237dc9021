// A clock for client tests: real time, but waits are recorded instead of slept.
#pragma once

#include <mutex>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/time/clock.h"

namespace hiresync::testing {

class RecordingClock : public time::Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
  void SleepFor(absl::Duration duration) override {
    std::lock_guard lock(mutex_);
    sleeps_.push_back(duration);
  }
  std::vector<absl::Duration> sleeps() {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }

 private:
  std::mutex mutex_;
  std::vector<absl::Duration> sleeps_;
};

}  // namespace hiresync::testing
