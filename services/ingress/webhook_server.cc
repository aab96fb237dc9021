#include "services/ingress/webhook_server.h"

#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "common/http/server_defaults.h"
#include "common/log/log.h"
#include "common/metrics/counter_children.h"
#include "common/metrics/metrics.h"
#include "nlohmann/json.hpp"

namespace hiresync::ingress {
namespace {

class WebhookMetrics {
 public:
  static WebhookMetrics& Get() {
    static WebhookMetrics m;
    return m;
  }
  // `connection` is a configured id or "unknown" (never a raw URL value: that would let
  // anyone create label values).
  void Count(const std::string& connection, const std::string& outcome) {
    if (connection != "unknown") Know(connection);
    counters_.Increment({{"connection", connection}, {"outcome", outcome}});
  }
  // Shows a connection's series at 0 before their first delivery, so that increase()
  // over them sees that delivery too.
  void Know(const std::string& connection) {
    for (const char* outcome : {"accepted", "duplicate", "ping", "ignored", "bad_signature",
                                "malformed", "too_large", "store_error"}) {
      counters_.Get({{"connection", connection}, {"outcome", outcome}});
    }
  }

 private:
  WebhookMetrics()
      : counters_(prometheus::BuildCounter()
                      .Name("hiresync_webhooks_received_total")
                      .Help("Greenhouse webhook deliveries, by connection and outcome.")
                      .Register(*metrics::Registry())) {}
  metrics::CounterChildren counters_;
};

void JsonError(httplib::Response& res, int status, const std::string& code,
               const std::string& message) {
  res.status = status;
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  res.set_content(body.dump(), "application/json");
}

}  // namespace

struct WebhookServer::Impl {
  httplib::Server server;
};

WebhookServer::WebhookServer(const WebhookHandler* handler, WebhookServerOptions options)
    : impl_(std::make_unique<Impl>()), options_(std::move(options)) {
  auto& server = impl_->server;
  http::ServerLimits limits;
  limits.max_body_bytes = options_.max_body_bytes;
  limits.threads = options_.threads;
  http::ApplyServerDefaults(server, limits);
  for (const auto& [id, conn] : handler->connections()->all()) WebhookMetrics::Get().Know(id);

  server.Post(R"(/v1/webhooks/greenhouse/([^/]+))",
              [handler](const httplib::Request& req, httplib::Response& res) {
                WebhookRequest request{req.matches[1], req.get_header_value("Signature"),
                                       req.get_header_value("Greenhouse-Event-ID"), req.body};
                WebhookResponse response = handler->Handle(request);
                res.status = response.status;
                res.set_content(response.body, "application/json");
                bool known = response.outcome != "unknown_connection";
                WebhookMetrics::Get().Count(known ? request.connection_id : "unknown",
                                            response.outcome);
                log::Info("webhook", {{"connection", known ? request.connection_id : "unknown"},
                                      {"status", response.status},
                                      {"outcome", response.outcome},
                                      {"bytes", request.body.size()}});
              });
  // httplib answers a too-large body itself (before routing), and unknown paths; give
  // those the same JSON error shape.
  server.set_error_handler([max = options_.max_body_bytes](const httplib::Request& req,
                                                           httplib::Response& res) {
    if (res.status == 413) {
      WebhookMetrics::Get().Count("unknown", "too_large");
      JsonError(res, 413, "too_large",
                absl::StrCat("the body is over the limit of ", max,
                             " bytes (raise --max_body_bytes if this hire is real)"));
    } else if (res.status == 404) {
      JsonError(res, 404, "not_found",
                "no such endpoint: Greenhouse webhooks go to POST /v1/webhooks/greenhouse/{connection_id}");
    } else if (res.body.empty()) {
      JsonError(res, res.status, "error", absl::StrCat("HTTP ", res.status));
    }
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log::Error("webhook handler failed", {{"error", what}});
    JsonError(res, 500, "internal",
              "hiresync failed on this delivery and stored nothing; Greenhouse will retry it");
  });
}

WebhookServer::~WebhookServer() { Stop(); }

absl::Status WebhookServer::Start() {
  port_ = http::Bind(impl_->server, options_.host.c_str(), options_.port);
  if (port_ <= 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen for webhooks on ", options_.host, ":", options_.port,
        ": is the port already in use? Stop the other process or choose another --webhook_port"));
  }
  thread_ = http::ListenInBackground(impl_->server);
  return absl::OkStatus();
}

void WebhookServer::Stop() {
  impl_->server.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace hiresync::ingress
