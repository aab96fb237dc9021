// What "now" is and how to wait, behind an interface so tests need not sleep.
#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace hiresync::time {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
  virtual void SleepFor(absl::Duration duration) = 0;
};

class RealClock : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
  void SleepFor(absl::Duration duration) override { absl::SleepFor(duration); }
};

}  // namespace hiresync::time
