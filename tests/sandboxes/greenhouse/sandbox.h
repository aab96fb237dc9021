// The greenhouse-sandbox HTTP server: one listener, one RouteGroup per imitated API
// (attachment URLs, OAuth /token, Harvest v3 and its test API), plus /_sandbox/healthz and
// /_sandbox/reset; a JSON log line per request on stdout.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "tests/sandboxes/greenhouse/harvest_seed.h"

namespace hiresync::greenhouse_sandbox {

struct SandboxOptions {
  std::string host = "127.0.0.1";
  int port = 8091;
  // Prefix of the URLs the sandbox hands out, without a trailing slash; empty means
  // http://<host>:<bound port>.
  std::string public_url;
  // Key that signs attachment URLs; URLs stay valid across restarts with the same key.
  std::string url_key;
  // The Harvest data loaded at start and re-applied by every reset (serve --seed).
  Seed harvest_seed;
  // Serve HTTPS with this PEM certificate and key (both or neither).
  std::string tls_cert_file;
  std::string tls_key_file;
};

class Sandbox {
 public:
  explicit Sandbox(SandboxOptions options);
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Binds the listening socket (port 0 picks a free one) and registers the routes; fails
  // when the address is taken.
  absl::Status Bind();
  // Serves until Stop(); call after Bind().
  absl::Status Serve();
  // Safe from any thread, including a signal-handling one.
  void Stop();
  // The bound port (useful with port 0).
  int port() const;
  // Valid after Bind().
  const std::string& public_url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hiresync::greenhouse_sandbox
