// Process lifecycle shared by every binary: termination signals are blocked in all
// threads and received synchronously by the main thread, so no work runs in a handler.
#pragma once

#include <functional>

#include "absl/time/time.h"

namespace hiresync::service {

// Call first in main, before any thread starts: blocks SIGTERM, SIGINT and SIGHUP.
void BlockSignals();

enum class Signal { kTerminate, kReload };

// Waits for SIGTERM/SIGINT (returns kTerminate) or SIGHUP (returns kReload). While
// waiting, calls `tick` every `period` (when given).
Signal WaitForSignal(const std::function<void()>& tick = nullptr,
                     absl::Duration period = absl::Seconds(5));

}  // namespace hiresync::service
