#include "common/http/admin_server.h"

#include "absl/strings/str_cat.h"
#include "common/metrics/metrics.h"
#include "common/http/server_defaults.h"

namespace hiresync::http {

struct AdminServer::Impl {
  httplib::Server server;
};

AdminServer::AdminServer() : impl_(std::make_unique<Impl>()) {
  auto& server = impl_->server;
  ApplyServerDefaults(server, ServerLimits{.max_body_bytes = 64 * 1024,
                                           .read_timeout_seconds = 5,
                                           .write_timeout_seconds = 5,
                                           .threads = 2});
  server.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics::Serialize(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}", "application/json");
  });
  server.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    if (ready_) {
      res.set_content("{\"status\":\"ready\"}", "application/json");
    } else {
      res.status = 503;
      res.set_content("{\"status\":\"not ready\"}", "application/json");
    }
  });
}

AdminServer::~AdminServer() { Stop(); }

absl::Status AdminServer::Start(const std::string& host, int port) {
  auto& server = impl_->server;
  port_ = Bind(server, host.c_str(), port);
  if (port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", port,
                                               " for the admin port: is it already in use? "
                                               "Stop the other process or choose another port."));
  }
  thread_ = http::ListenInBackground(server);
  return absl::OkStatus();
}

void AdminServer::Stop() {
  ready_ = false;
  impl_->server.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace hiresync::http
