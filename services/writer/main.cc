// hiresync-writer: NewHire -> GoCo employee over gRPC. Wiring only; the logic is Writer.
#include <signal.h>

#include <iostream>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/config.h"
#include "common/config/flags.h"
#include "common/grpc/flags.h"
#include "common/grpc/grpc_log.h"
#include "common/grpc/server.h"
#include "common/http/admin_server.h"
#include "common/http_client/client_setup.h"
#include "common/log/log.h"
#include "common/service/lifecycle.h"
#include "common/time/clock.h"
#include "services/writer/attachment_fetcher.h"
#include "services/writer/ledger.h"
#include "services/writer/writer.h"
#include "services/writer/writer_metrics.h"
#include "services/writer/writer_service.h"

ABSL_FLAG(std::string, config, "", "Connections file (JSON, schema hiresync.v1.ConfigFile).");
ABSL_FLAG(std::string, ledger, "", "SQLite file of the writer's ledger (created if missing).");
ABSL_FLAG(std::string, grpc_listen, "127.0.0.1:50053", "gRPC listen address host:port.");
ABSL_FLAG(std::string, admin_host, "127.0.0.1", "Admin HTTP host (/metrics, /healthz, /readyz).");
ABSL_FLAG(int, admin_listen_port, 9103, "Admin HTTP port (0 picks one).");
ABSL_FLAG(std::string, log_level, "info", "debug|info|warn|error.");
ABSL_FLAG(int64_t, attachment_max_bytes, int64_t{25} * 1024 * 1024,
          "Largest attachment downloaded (GoCo takes at most 25 MiB a file).");
ABSL_FLAG(std::string, ca_bundle, "",
          "PEM file of the CA certificates that verify HTTPS to GoCo and to attachment links; "
          "empty: the system's trust store.");
ABSL_FLAG(int, shutdown_grace_seconds, 20, "How long in-flight calls may finish on SIGTERM.");

namespace {

int Fail(const std::string& message) {
  std::cerr << "hiresync-writer: " << message << std::endl;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hiresync;
  service::BlockSignals();  // before any thread starts: signals are taken in main below
  config::ParseFlags(argc, argv,
                     "hiresync-writer --config connections.json --ledger writer.db: writes new "
                     "hires to GoCo (gRPC hiresync.v1.Writer)");

  log::Level level;
  if (!log::ParseLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    return Fail("--log_level must be one of debug, info, warn, error");
  }
  log::Init("writer", level);
  grpcutil::RouteGrpcLogsToJsonLog();
  if (absl::GetFlag(FLAGS_config).empty()) {
    return Fail("--config is required: the connections file (or HIRESYNC_CONFIG)");
  }
  if (absl::GetFlag(FLAGS_ledger).empty()) {
    return Fail(
        "--ledger is required: the SQLite file of the writer's ledger (or HIRESYNC_LEDGER)");
  }
  if (absl::GetFlag(FLAGS_attachment_max_bytes) <= 0) {
    return Fail("--attachment_max_bytes must be positive");
  }
  auto grpc_options = grpcutil::ServerOptionsFromFlags();
  if (!grpc_options.ok()) return Fail(std::string(grpc_options.status().message()));
  const std::string ca_bundle = absl::GetFlag(FLAGS_ca_bundle);
  if (absl::Status s = http_client::CheckCaBundle(ca_bundle); !s.ok()) {
    return Fail(std::string(s.message()));
  }
  auto loaded = config::Load(absl::GetFlag(FLAGS_config));
  if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
  config::ConnectionsSource connections(*loaded);
  auto ledger = writer::Ledger::Open(absl::GetFlag(FLAGS_ledger));
  if (!ledger.ok()) return Fail(std::string(ledger.status().message()));

  writer::WriterMetrics::Get();
  http::AdminServer admin;
  if (absl::Status status =
          admin.Start(absl::GetFlag(FLAGS_admin_host), absl::GetFlag(FLAGS_admin_listen_port));
      !status.ok()) {
    return Fail(std::string(status.message()));
  }

  writer::AttachmentFetcherOptions fetch_options;
  fetch_options.max_bytes = absl::GetFlag(FLAGS_attachment_max_bytes);
  fetch_options.ca_bundle = ca_bundle;
  writer::GoCoClientOptions goco_options;
  goco_options.ca_bundle = ca_bundle;
  writer::AttachmentFetcher fetcher(fetch_options);
  writer::Writer logic(connections.AsFn(), ledger->get(), &fetcher,
                       writer::RealGoCoFactory(std::make_shared<time::RealClock>(), goco_options));
  writer::WriterService service(&logic);
  auto server = grpcutil::StartServer(absl::GetFlag(FLAGS_grpc_listen), {&service}, *grpc_options);
  if (!server.ok()) return Fail(std::string(server.status().message()));
  server->SetServing(true);
  admin.SetReady(true);
  log::Info("writer started", {{"grpc_port", server->port},
                               {"grpc_tls", grpc_options->tls ? "mtls" : "plaintext"},
                               {"grpc_health_port", server->health_port},
                               {"admin_port", admin.port()},
                               {"connections", connections.Get()->size()}});

  // SIGHUP re-reads the connections file (a rotated GoCo key, a new connection); a bad
  // file is refused and the current one kept.
  while (service::WaitForSignal() == service::Signal::kReload) {
    connections.ReloadAndLog(absl::GetFlag(FLAGS_config));
  }
  log::Info("writer stopping");
  admin.SetReady(false);
  server->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  (*ledger)->Close();
  admin.Stop();
  log::Info("writer stopped");
  return 0;
}
