#include "common/failpoint/failpoint.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

namespace hiresync::failpoint {
namespace {

struct Armed {
  int fire_on = 1;
  int hits = 0;
};

std::mutex g_mu;
std::map<std::string, Armed, std::less<>>* g_points = nullptr;
std::atomic<bool> g_any{false};
std::once_flag g_from_env;

void ConfigureLocked(std::string_view spec) {
  delete g_points;
  g_points = new std::map<std::string, Armed, std::less<>>();
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string_view item =
        spec.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!item.empty()) {
      Armed armed;
      size_t at = item.find('@');
      if (at != std::string_view::npos) {
        armed.fire_on = std::max(1, std::atoi(std::string(item.substr(at + 1)).c_str()));
        item = item.substr(0, at);
      }
      (*g_points)[std::string(item)] = armed;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  g_any = !g_points->empty();
}

void FromEnvironment() {
  std::call_once(g_from_env, [] {
    const char* spec = std::getenv("HIRESYNC_FAILPOINTS");
    if (spec != nullptr && *spec != '\0') {
      std::lock_guard<std::mutex> lock(g_mu);
      ConfigureLocked(spec);
    }
  });
}

}  // namespace

void Configure(std::string_view spec) {
  std::call_once(g_from_env, [] {});
  std::lock_guard<std::mutex> lock(g_mu);
  ConfigureLocked(spec);
}

bool Due(std::string_view name) {
  FromEnvironment();
  if (!g_any.load(std::memory_order_relaxed)) return false;
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = g_points->find(name);
  if (it == g_points->end()) return false;
  return ++it->second.hits == it->second.fire_on;
}

void Hit(std::string_view name) {
  if (!Due(name)) return;
  // A line a test can look for in the process's output; then die like a crash would.
  std::fprintf(stderr, "failpoint %.*s: killing the process\n", static_cast<int>(name.size()),
               name.data());
  std::fflush(stderr);
  kill(getpid(), SIGKILL);
  _exit(137);
}

}  // namespace hiresync::failpoint
