#include "tests/sandboxes/greenhouse/sandbox.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/http/server_defaults.h"
#include "tests/sandboxes/greenhouse/attachment_routes.h"
#include "tests/sandboxes/greenhouse/harvest_context.h"
#include "tests/sandboxes/greenhouse/harvest_control_routes.h"
#include "tests/sandboxes/greenhouse/harvest_routes.h"
#include "tests/sandboxes/greenhouse/oauth_routes.h"
#include "tests/sandboxes/greenhouse/route_group.h"

namespace hiresync::greenhouse_sandbox {

struct Sandbox::Impl {
  SandboxOptions options;
  std::unique_ptr<httplib::Server> server;
  std::vector<std::unique_ptr<RouteGroup>> groups;
  std::mutex log_mu;
  int bound_port = 0;

  void LogRequest(const httplib::Request& req, const httplib::Response& res) {
    std::string line =
        nlohmann::ordered_json{
            {"time", absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone())},
            {"component", "greenhouse-sandbox"},
            {"method", req.method},
            {"path", req.path},
            {"status", res.status}}
            .dump() +
        "\n";
    std::lock_guard lock(log_mu);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }
};

Sandbox::Sandbox(SandboxOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->server = http::NewServer(impl_->options.tls_cert_file, impl_->options.tls_key_file);
  httplib::Server& server = *impl_->server;
  server.set_payload_max_length(64 * 1024 * 1024);
  server.set_read_timeout(30, 0);
  server.set_write_timeout(30, 0);
  // httplib sets SO_REUSEPORT by default, which would let a second sandbox share the port
  // silently; SO_REUSEADDR alone makes "port in use" an error.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_logger(
      [impl = impl_.get()](const httplib::Request& req, const httplib::Response& res) {
        impl->LogRequest(req, res);
      });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    ReplyJsonError(
        res, 500,
        absl::StrCat("the sandbox failed on this request: ", what, "; see its log and report it"));
  });
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        ReplyJsonError(res, res.status,
                       absl::StrCat("no sandbox route for ", req.method, " ", req.path,
                                    "; see tests/sandboxes/greenhouse/README.md for the routes"));
        return httplib::Server::HandlerResponse::Handled;
      }));

  server.Get("/_sandbox/healthz", [](const httplib::Request&, httplib::Response& res) {
    ReplyJson(res, 200, {{"status", "ok"}});
  });
  server.Post("/_sandbox/reset",
              [impl = impl_.get()](const httplib::Request&, httplib::Response& res) {
                for (auto& group : impl->groups) group->Reset();
                ReplyJson(res, 200, {{"status", "reset"}});
              });
}

Sandbox::~Sandbox() = default;

absl::Status Sandbox::Bind() {
  SandboxOptions& o = impl_->options;
  if (!impl_->server->is_valid()) {
    return absl::FailedPreconditionError(
        "cannot serve HTTPS: --tls-cert-file and --tls-key-file must be a PEM certificate and "
        "its key");
  }
  if (o.port == 0) {
    impl_->bound_port = std::max(impl_->server->bind_to_any_port(o.host), 0);
  } else if (impl_->server->bind_to_port(o.host, o.port)) {
    impl_->bound_port = o.port;
  }
  if (impl_->bound_port == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", o.host, ":", o.port,
        " (port in use or address not local): stop the process holding it or pick another "
        "--port"));
  }
  if (o.public_url.empty()) {
    o.public_url = absl::StrCat(o.tls_cert_file.empty() ? "http://" : "https://",
                                o.host == "0.0.0.0" ? "127.0.0.1" : o.host, ":", impl_->bound_port);
  }
  // Route groups are built once the port is known, since they hand out absolute URLs.
  impl_->groups.push_back(std::make_unique<AttachmentRoutes>(o.public_url, o.url_key));
  auto harvest = std::make_shared<HarvestContext>(o.public_url, o.url_key, o.harvest_seed);
  impl_->groups.push_back(std::make_unique<OAuthRoutes>(harvest));
  impl_->groups.push_back(std::make_unique<HarvestRoutes>(harvest));
  impl_->groups.push_back(std::make_unique<HarvestControlRoutes>(harvest));
  for (auto& group : impl_->groups) group->Register(*impl_->server);
  return absl::OkStatus();
}

absl::Status Sandbox::Serve() {
  if (!impl_->server->listen_after_bind()) {
    return absl::InternalError("the HTTP listener stopped unexpectedly; see the log above");
  }
  return absl::OkStatus();
}

void Sandbox::Stop() { impl_->server->stop(); }

int Sandbox::port() const { return impl_->bound_port; }

const std::string& Sandbox::public_url() const { return impl_->options.public_url; }

}  // namespace hiresync::greenhouse_sandbox
