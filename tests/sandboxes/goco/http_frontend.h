// The HTTP side of goco-sandbox: a cpp-httplib server that hands every request to the
// Sandbox, writes JSON log lines, and really drops the TCP connection when asked to.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "tests/sandboxes/goco/sandbox.h"

namespace hiresync::goco_sandbox {

class HttpFrontend {
 public:
  // HTTPS when `tls_cert_file` and `tls_key_file` (PEM) are given.
  explicit HttpFrontend(Sandbox& sandbox, const std::string& tls_cert_file = "",
                        const std::string& tls_key_file = "");
  ~HttpFrontend();
  HttpFrontend(const HttpFrontend&) = delete;
  HttpFrontend& operator=(const HttpFrontend&) = delete;

  // Binds host:port; fails (e.g. the port is in use) without serving.
  absl::Status Bind(const std::string& host, int port);
  // Serves until Stop(); call after a successful Bind.
  void Run();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes one JSON log line to stdout; `fields` is a JSON object's members.
void LogLine(const std::string& level, const std::string& message, const std::string& fields);

}  // namespace hiresync::goco_sandbox
