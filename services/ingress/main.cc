// hiresync-ingress: the Greenhouse webhook endpoint, the inbox and the dispatcher.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/config.h"
#include "common/config/flags.h"
#include "common/grpc/flags.h"
#include "common/grpc/grpc_log.h"
#include "common/grpc/server.h"
#include "common/http/admin_server.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "common/service/lifecycle.h"
#include "common/store/inbox.h"
#include "services/ingress/admin_service.h"
#include "services/ingress/connection_states.h"
#include "services/ingress/dispatcher.h"
#include "services/ingress/inbox_gauges.h"
#include "services/ingress/pipeline_clients.h"
#include "services/ingress/webhook_handler.h"
#include "services/ingress/webhook_server.h"

ABSL_FLAG(std::string, config, "", "Connections file (JSON, schema hiresync.v1.ConfigFile).");
ABSL_FLAG(std::string, inbox, "",
          "The inbox: a SQLite file (created if missing) or a postgresql:// URL (shared by replicas).");
ABSL_FLAG(std::string, webhook_host, "127.0.0.1", "Address of the webhook listener.");
ABSL_FLAG(int, webhook_port, 8080, "Port of the webhook listener.");
ABSL_FLAG(int64_t, max_body_bytes, 5 * 1024 * 1024, "Largest webhook body accepted (413 above).");
ABSL_FLAG(std::string, grpc_listen, "127.0.0.1:50051", "gRPC listen address (health, reflection).");
ABSL_FLAG(std::string, admin_host, "127.0.0.1", "Address of the admin HTTP listener.");
ABSL_FLAG(int, admin_listen_port, 9101, "Port of the admin HTTP listener (/metrics, /healthz, /readyz).");
ABSL_FLAG(std::string, mapper_addr, "127.0.0.1:50052", "gRPC target of hiresync-mapper.");
ABSL_FLAG(std::string, writer_addr, "127.0.0.1:50053", "gRPC target of hiresync-writer.");
ABSL_FLAG(std::string, notes_addr, "", "gRPC target of hiresync-notes; empty: no notes.");
ABSL_FLAG(int, workers, 4, "Events processed in parallel.");
ABSL_FLAG(int64_t, retry_base_ms, 2000, "First retry delay; doubles each attempt, with jitter.");
ABSL_FLAG(int64_t, retry_max_ms, 15 * 60 * 1000, "Longest retry delay.");
ABSL_FLAG(int, max_attempts, 400, "Attempts before an event is DEAD.");
ABSL_FLAG(int64_t, max_event_age_s, 72 * 3600, "Age after which a failing event is DEAD.");
ABSL_FLAG(int64_t, lease_ms, 120000,
          "How long a claimed event is this process's; after that another replica takes it "
          "over (a PostgreSQL inbox: a crashed replica's events wait this long).");
ABSL_FLAG(int64_t, call_deadline_ms, 30000, "Deadline of each call to mapper, writer and notes.");
ABSL_FLAG(std::string, admin_token_file, "",
          "File holding the token hiresyncctl must send (metadata `authorization: Bearer "
          "<token>`) to the admin service on --grpc_listen; without it the admin service "
          "refuses every call. Re-read on SIGHUP.");
ABSL_FLAG(int, retention_days, 30,
          "Days a finished (DONE or DEAD) event's payload and personal data are kept; purged at "
          "start and daily after that. The event's ids, outcome and history are kept.");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error.");

namespace {

using namespace hiresync;  // NOLINT: main wires the project's pieces together

int Fail(const std::string& message) {
  std::fprintf(stderr, "hiresync-ingress: %s\n", message.c_str());
  log::Error("cannot start", {{"error", message}});
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  service::BlockSignals();
  config::ParseFlags(argc, argv,
                     "hiresync-ingress --config FILE --inbox FILE [flags]: receives Greenhouse "
                     "webhooks and syncs hires to GoCo. Every flag can also be set as "
                     "HIRESYNC_<FLAG> in the environment.");
  log::Level level;
  if (!log::ParseLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    return Fail("--log_level must be debug, info, warn or error");
  }
  log::Init("ingress", level);
  grpcutil::RouteGrpcLogsToJsonLog();
  if (absl::GetFlag(FLAGS_config).empty()) return Fail("--config is required (the connections file)");
  if (absl::GetFlag(FLAGS_inbox).empty()) return Fail("--inbox is required (a SQLite file path)");
  auto grpc_options = grpcutil::ServerOptionsFromFlags();
  if (!grpc_options.ok()) return Fail(std::string(grpc_options.status().message()));
  if (absl::GetFlag(FLAGS_retention_days) < 1) {
    return Fail("--retention_days must be 1 or more (days a finished event's payload is kept)");
  }
  const std::string token_file = absl::GetFlag(FLAGS_admin_token_file);
  std::optional<std::string> admin_token;
  if (!token_file.empty()) {
    auto token = ingress::ReadAdminToken(token_file);
    if (!token.ok()) return Fail(std::string(token.status().message()));
    admin_token = std::move(*token);
  }

  // The admin listener comes up first so /healthz answers during slow start-up; /readyz
  // stays 503 until everything is ready.
  http::AdminServer admin;
  if (auto s = admin.Start(absl::GetFlag(FLAGS_admin_host), absl::GetFlag(FLAGS_admin_listen_port));
      !s.ok()) {
    return Fail(std::string(s.message()));
  }

  auto loaded = config::Load(absl::GetFlag(FLAGS_config));
  if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
  config::ConnectionsSource connections(*loaded);
  config::ConnectionsFn current_connections = connections.AsFn();

  // A SQLite inbox belongs to one ingress process: hold a lock beside it for our lifetime
  // (then ReleaseAllLeases hands back the claims a previous run left when it died). A
  // PostgreSQL inbox is shared by replicas; expired leases are taken over by claims.
  const std::string location = absl::GetFlag(FLAGS_inbox);
  bool is_url = location.find("://") != std::string::npos;
  if (!is_url) {
    std::string lock_path = location + ".lock";
    int lock_fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd < 0) {
      return Fail(absl::StrCat("cannot create the inbox's lock file ", lock_path, ": ",
                               std::strerror(errno),
                               "; --inbox must be in a folder this process can write"));
    }
    if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
      return Fail(absl::StrCat("the inbox ", location, " is in use by another hiresync-ingress (",
                               lock_path, " is locked); stop it, or give this one its own --inbox"));
    }
  }
  auto inbox = store::OpenInbox(location);
  if (!inbox.ok()) return Fail(std::string(inbox.status().message()));
  if (auto s = (*inbox)->ReleaseAllLeases(); !s.ok()) return Fail(std::string(s.message()));

  absl::Duration deadline = absl::Milliseconds(absl::GetFlag(FLAGS_call_deadline_ms));
  const grpcutil::Tls* tls = grpc_options->tls.get();
  auto mapper = ingress::MakeGrpcMapperClient(
      grpcutil::MakeChannel(absl::GetFlag(FLAGS_mapper_addr), tls), deadline);
  auto writer = ingress::MakeGrpcWriterClient(
      grpcutil::MakeChannel(absl::GetFlag(FLAGS_writer_addr), tls), deadline);
  std::unique_ptr<ingress::NotesClient> notes;
  if (!absl::GetFlag(FLAGS_notes_addr).empty()) {
    notes = ingress::MakeGrpcNotesClient(
        grpcutil::MakeChannel(absl::GetFlag(FLAGS_notes_addr), tls), deadline);
  }

  ingress::DispatcherOptions options;
  options.workers = absl::GetFlag(FLAGS_workers);
  options.retry_base = absl::Milliseconds(absl::GetFlag(FLAGS_retry_base_ms));
  options.retry_max = absl::Milliseconds(absl::GetFlag(FLAGS_retry_max_ms));
  options.max_attempts = absl::GetFlag(FLAGS_max_attempts);
  options.max_age = absl::Seconds(absl::GetFlag(FLAGS_max_event_age_s));
  options.lease = absl::Milliseconds(absl::GetFlag(FLAGS_lease_ms));
  options.owner = absl::StrCat("ingress-", getpid());
  ingress::ConnectionStates connection_states(inbox->get(), current_connections);
  options.paused_connections = [&connection_states] { return connection_states.Paused(); };
  ingress::Dispatcher dispatcher(inbox->get(), current_connections, mapper.get(), writer.get(),
                                 notes.get(), options);

  ingress::WebhookHandler handler(current_connections, inbox->get(),
                                  static_cast<size_t>(absl::GetFlag(FLAGS_max_body_bytes)),
                                  [&dispatcher](int64_t) { dispatcher.Wake(); });
  ingress::WebhookServerOptions webhook_options;
  webhook_options.host = absl::GetFlag(FLAGS_webhook_host);
  webhook_options.port = absl::GetFlag(FLAGS_webhook_port);
  webhook_options.max_body_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_body_bytes));
  ingress::WebhookServer webhooks(&handler, webhook_options);

  absl::Duration retention = absl::Hours(24) * absl::GetFlag(FLAGS_retention_days);
  ingress::AdminService admin_service(admin_token, retention, inbox->get(), current_connections,
                                      &connection_states, [&dispatcher] { dispatcher.Wake(); });
  ingress::RetentionPurger purger(inbox->get(), retention);

  auto grpc_server =
      grpcutil::StartServer(absl::GetFlag(FLAGS_grpc_listen), {&admin_service}, *grpc_options);
  if (!grpc_server.ok()) return Fail(std::string(grpc_server.status().message()));
  if (auto s = webhooks.Start(); !s.ok()) return Fail(std::string(s.message()));
  dispatcher.Start();
  purger.Start();
  grpc_server->SetServing(true);
  admin.SetReady(true);
  log::Info("listening", {{"webhook_port", webhooks.port()},
                          {"grpc_port", grpc_server->port},
                          {"grpc_tls", tls ? "mtls" : "plaintext"},
                          {"grpc_health_port", grpc_server->health_port},
                          {"admin_port", admin.port()},
                          {"connections", connections.Get()->size()},
                          {"admin_service", admin_token ? "on" : "off (no --admin_token_file)"},
                          {"retention_days", absl::GetFlag(FLAGS_retention_days)}});

  ingress::InboxGauges gauges(*metrics::Registry());
  auto refresh = [&] { gauges.Refresh(**inbox, *connections.Get(), connection_states.Paused()); };
  refresh();
  while (service::WaitForSignal(refresh) == service::Signal::kReload) {
    if (auto s = connections.Reload(absl::GetFlag(FLAGS_config)); !s.ok()) {
      log::Error("config reload refused; keeping the previous one",
                 {{"error", std::string(s.message())}});
      continue;
    }
    if (!token_file.empty()) {
      auto token = ingress::ReadAdminToken(token_file);
      if (token.ok()) {
        admin_service.SetToken(std::move(*token));
      } else {
        log::Error("admin token reload refused; keeping the previous one",
                   {{"error", std::string(token.status().message())}});
      }
    }
    dispatcher.Wake();
    refresh();  // a removed connection's series go now, not at the next tick
    log::Info("config reloaded", {{"connections", connections.Get()->size()}});
  }

  log::Info("shutting down");
  admin.SetReady(false);
  grpc_server->SetServing(false);
  webhooks.Stop();
  purger.Stop();
  dispatcher.Stop();
  grpc_server->Shutdown(absl::Seconds(5));
  admin.Stop();
  log::Info("stopped");
  return 0;
}
