#include "common/service/lifecycle.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>

namespace hiresync::service {
namespace {

sigset_t Signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void BlockSignals() {
  sigset_t set = Signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A closed peer must not kill the process while it writes a response.
  signal(SIGPIPE, SIG_IGN);
}

Signal WaitForSignal(const std::function<void()>& tick, absl::Duration period) {
  sigset_t set = Signals();
  while (true) {
    timespec timeout = absl::ToTimespec(period);
    int sig = sigtimedwait(&set, nullptr, &timeout);
    if (sig == SIGTERM || sig == SIGINT) return Signal::kTerminate;
    if (sig == SIGHUP) return Signal::kReload;
    if (sig < 0 && errno != EAGAIN && errno != EINTR) return Signal::kTerminate;
    if (tick) tick();
  }
}

}  // namespace hiresync::service
