#include "tests/sandboxes/greenhouse/harvest_context.h"

#include <dirent.h>
#include <netdb.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/sandboxes/greenhouse/route_group.h"

namespace hiresync::greenhouse_sandbox {
namespace {

void SetRateLimitHeaders(const RateLimitDecision& decision, httplib::Response& res) {
  res.set_header("X-RateLimit-Limit", std::to_string(decision.limit));
  res.set_header("X-RateLimit-Remaining", std::to_string(decision.remaining));
  res.set_header("X-RateLimit-Reset", std::to_string(decision.reset_epoch));
}

bool Endpoint(int fd, bool peer, std::string* host, int* port) {
  sockaddr_storage addr{};
  socklen_t length = sizeof addr;
  int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &length)
                : getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  if (rc != 0 || (addr.ss_family != AF_INET && addr.ss_family != AF_INET6)) return false;
  char host_buf[NI_MAXHOST];
  char port_buf[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&addr), length, host_buf, sizeof host_buf, port_buf,
                  sizeof port_buf, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return false;
  }
  *host = host_buf;
  return absl::SimpleAtoi(port_buf, port);
}

// httplib does not hand handlers their socket; the connection is the one open socket
// whose two ends are the request's addresses.
bool ShutdownRequestSocket(const httplib::Request& req) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return false;
  bool done = false;
  while (dirent* entry = readdir(dir)) {
    int fd = 0;
    if (!absl::SimpleAtoi(entry->d_name, &fd) || fd == dirfd(dir)) continue;
    std::string remote_host, local_host;
    int remote_port = 0, local_port = 0;
    if (!Endpoint(fd, /*peer=*/true, &remote_host, &remote_port) ||
        !Endpoint(fd, /*peer=*/false, &local_host, &local_port)) {
      continue;
    }
    if (remote_port == req.remote_port && local_port == req.local_port &&
        remote_host == req.remote_addr) {
      done = shutdown(fd, SHUT_RDWR) == 0;
      break;
    }
  }
  closedir(dir);
  return done;
}

}  // namespace

HarvestContext::HarvestContext(std::string public_url, std::string url_key, Seed base_seed,
                               Clock clock)
    : clock_(std::move(clock)),
      public_url_(std::move(public_url)),
      signer_(std::move(url_key)),
      base_seed_(std::move(base_seed)),
      state_(clock_),
      limiter_(clock_) {
  state_.Reset(base_seed_);
}

void HarvestContext::Reset() {
  faults_.Reset();
  limiter_.Clear();
  state_.Reset(base_seed_);
}

std::optional<Fault> HarvestContext::Admit(const httplib::Request& req) {
  std::optional<Fault> fault = faults_.Observe(req.method, req.path);
  if (fault && fault->latency_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(fault->latency_ms));
  }
  return fault;
}

bool HarvestContext::ChargeRateLimit(const std::string& client_id, httplib::Response& res) {
  RateLimitDecision decision = limiter_.Consume(client_id, state_.rate_limit());
  SetRateLimitHeaders(decision, res);
  if (decision.allowed) return true;
  res.set_header("Retry-After", std::to_string(decision.retry_after_seconds));
  ReplyJson(res, 429,
            {{"message", absl::StrCat("Too Many Requests: limit of ", decision.limit,
                                      " calls per window reached; retry after ",
                                      decision.retry_after_seconds, " seconds")}});
  return false;
}

void HarvestContext::ShowRateLimit(const std::string& client_id, httplib::Response& res) {
  SetRateLimitHeaders(limiter_.Peek(client_id, state_.rate_limit()), res);
}

void AnswerInjectedStatus(int status, nlohmann::json body, httplib::Response& res) {
  if (status == 429) res.set_header("Retry-After", "1");
  ReplyJson(res, status, body);
}

void DropConnection(const httplib::Request& req, httplib::Response& res) {
  ShutdownRequestSocket(req);
  // Whatever happened above, never let a complete answer out.
  res.set_content_provider(1, "application/json",
                           [](size_t, size_t, httplib::DataSink&) { return false; });
}

}  // namespace hiresync::greenhouse_sandbox
