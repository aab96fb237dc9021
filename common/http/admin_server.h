// The admin HTTP listener every service runs: GET /metrics (Prometheus text),
// /healthz (the process is alive) and /readyz (503 until SetReady(true), and again
// once shutdown begins). httplib stays out of this header.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"

namespace hiresync::http {

class AdminServer {
 public:
  AdminServer();
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds host:port (port 0 picks one; see port()) and serves on a background thread.
  absl::Status Start(const std::string& host, int port);
  void SetReady(bool ready) { ready_ = ready; }
  bool ready() const { return ready_; }
  int port() const { return port_; }
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> ready_{false};
  int port_ = 0;
  std::thread thread_;
};

}  // namespace hiresync::http
