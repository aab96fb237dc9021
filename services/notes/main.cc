// hiresync-notes: writes activity-feed notes on Greenhouse candidates (gRPC
// hiresync.v1.Notes). Wiring only; the logic is NotePoster. With --check_connection ID
// it checks one connection's Greenhouse and GoCo settings and exits.
#include <chrono>
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
#include "services/notes/connection_check.h"
#include "services/notes/note_ledger.h"
#include "services/notes/note_poster.h"
#include "services/notes/notes_metrics.h"
#include "services/notes/notes_service.h"

ABSL_FLAG(std::string, config, "", "Connections file (JSON, schema hiresync.v1.ConfigFile).");
ABSL_FLAG(std::string, ledger, "", "SQLite file of the notes ledger (created if missing).");
ABSL_FLAG(std::string, grpc_listen, "127.0.0.1:50054", "gRPC listen address host:port.");
ABSL_FLAG(std::string, admin_host, "127.0.0.1", "Admin HTTP host (/metrics, /healthz, /readyz).");
ABSL_FLAG(int, admin_listen_port, 9104, "Admin HTTP port (0 picks one).");
ABSL_FLAG(std::string, log_level, "info", "debug|info|warn|error.");
ABSL_FLAG(int, workers, 4,
          "Threads that call Greenhouse (calls of one connection are serialized).");
ABSL_FLAG(std::string, ca_bundle, "",
          "PEM file of the CA certificates that verify HTTPS to Greenhouse (token and Harvest) "
          "and, for --check_connection, GoCo; empty: the system's trust store.");
ABSL_FLAG(int, shutdown_grace_seconds, 20, "How long in-flight calls may finish on SIGTERM.");
ABSL_FLAG(std::string, check_connection, "",
          "Check this connection's Harvest credentials, note author and GoCo API key, print one "
          "line per check and exit (0: all pass, 1: something is wrong).");

namespace {

int Fail(const std::string& message) {
  std::cerr << "hiresync-notes: " << message << std::endl;
  return 2;
}

int CheckConnection(const hiresync::config::Connections& connections, const std::string& id,
                    const hiresync::notes::HarvestOptions& options) {
  using namespace hiresync;
  const config::Connection* connection = connections.Find(id);
  if (connection == nullptr) {
    std::cout << "FAIL connection: '" << id << "' is not in " << absl::GetFlag(FLAGS_config)
              << ": use one of the connection ids in that file" << std::endl;
    return 1;
  }
  bool all_ok = true;
  for (const notes::CheckResult& result :
       notes::CheckConnection(*connection, std::make_shared<time::RealClock>(), options)) {
    std::cout << notes::FormatCheck(result) << std::endl;
    all_ok = all_ok && result.ok;
  }
  std::cout << (all_ok ? "connection '" + id + "' is ready"
                       : "connection '" + id + "' needs the fixes above")
            << std::endl;
  return all_ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hiresync;
  service::BlockSignals();
  std::vector<std::string> positional = config::ParseFlags(
      argc, argv,
      "hiresync-notes --config connections.json --ledger notes.db: writes activity-feed notes "
      "on Greenhouse candidates (gRPC hiresync.v1.Notes); --check_connection ID checks one "
      "connection");

  log::Level level;
  if (!log::ParseLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    return Fail("--log_level must be one of debug, info, warn, error");
  }
  log::Init("notes", level);
  grpcutil::RouteGrpcLogsToJsonLog();
  if (!positional.empty()) {
    return Fail(absl::StrCat("unexpected argument '", positional.front(),
                             "': hiresync-notes takes only --flags (see --help)"));
  }
  if (absl::GetFlag(FLAGS_config).empty()) {
    return Fail("--config is required: the connections file (or HIRESYNC_CONFIG)");
  }
  notes::HarvestOptions harvest_options;
  harvest_options.ca_bundle = absl::GetFlag(FLAGS_ca_bundle);
  if (absl::Status s = http_client::CheckCaBundle(harvest_options.ca_bundle); !s.ok()) {
    return Fail(std::string(s.message()));
  }
  auto connections = config::Load(absl::GetFlag(FLAGS_config));
  if (!connections.ok()) return Fail(std::string(connections.status().message()));
  if (!absl::GetFlag(FLAGS_check_connection).empty()) {
    return CheckConnection(**connections, absl::GetFlag(FLAGS_check_connection), harvest_options);
  }
  if (absl::GetFlag(FLAGS_ledger).empty()) {
    return Fail("--ledger is required: the SQLite file of the notes ledger (or HIRESYNC_LEDGER)");
  }
  if (absl::GetFlag(FLAGS_workers) < 1) return Fail("--workers must be at least 1");
  auto grpc_options = grpcutil::ServerOptionsFromFlags();
  if (!grpc_options.ok()) return Fail(std::string(grpc_options.status().message()));
  auto ledger = notes::NoteLedger::Open(absl::GetFlag(FLAGS_ledger));
  if (!ledger.ok()) return Fail(std::string(ledger.status().message()));

  notes::NotesMetrics::Get();
  http::AdminServer admin;
  if (absl::Status status =
          admin.Start(absl::GetFlag(FLAGS_admin_host), absl::GetFlag(FLAGS_admin_listen_port));
      !status.ok()) {
    return Fail(std::string(status.message()));
  }

  config::ConnectionsSource source(*connections);
  notes::NotePoster poster(
      source.AsFn(), ledger->get(),
      notes::RealHarvestFactory(std::make_shared<time::RealClock>(), harvest_options));
  notes::NotesService service(&poster, absl::GetFlag(FLAGS_workers));
  auto server = grpcutil::StartServer(absl::GetFlag(FLAGS_grpc_listen), {&service}, *grpc_options);
  if (!server.ok()) {
    admin.Stop();
    return Fail(std::string(server.status().message()));
  }
  server->SetServing(true);
  admin.SetReady(true);
  log::Info("notes started", {{"grpc_port", server->port},
                              {"grpc_tls", grpc_options->tls ? "mtls" : "plaintext"},
                              {"grpc_health_port", server->health_port},
                              {"admin_port", admin.port()},
                              {"connections", (*connections)->size()}});

  // SIGHUP re-reads the connections file; a bad file is refused and the current one kept.
  while (service::WaitForSignal() == service::Signal::kReload) {
    source.ReloadAndLog(absl::GetFlag(FLAGS_config));
  }
  log::Info("notes stopping");
  admin.SetReady(false);
  server->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  log::Info("grpc stopped");
  admin.Stop();
  log::Info("notes stopped");
  return 0;
}
