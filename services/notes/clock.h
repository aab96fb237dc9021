// Time for the notes service: what "now" is and how to wait, so tests need not sleep.
#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace hiresync::notes {

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

}  // namespace hiresync::notes
