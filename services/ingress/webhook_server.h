// The webhook HTTP listener (cpp-httplib) in front of WebhookHandler.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "services/ingress/webhook_handler.h"

namespace hiresync::ingress {

struct WebhookServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  size_t max_body_bytes = 5 * 1024 * 1024;
  size_t threads = 8;
};

class WebhookServer {
 public:
  WebhookServer(const WebhookHandler* handler, WebhookServerOptions options);
  ~WebhookServer();
  absl::Status Start();
  // Stops accepting; requests in flight finish first.
  void Stop();
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  WebhookServerOptions options_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace hiresync::ingress
