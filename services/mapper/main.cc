// hiresync-mapper: wiring only. Flags (or HIRESYNC_* environment variables), the admin
// HTTP port, the gRPC server, and a clean drain on SIGTERM/SIGINT.
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/flags.h"
#include "common/grpc/flags.h"
#include "common/grpc/grpc_log.h"
#include "common/grpc/server.h"
#include "common/http/admin_server.h"
#include "common/log/log.h"
#include "services/mapper/mapper_service.h"

ABSL_FLAG(std::string, grpc_listen, "127.0.0.1:50052", "host:port the gRPC server listens on");
ABSL_FLAG(int, admin_listen_port, 9102, "port of the admin HTTP server (/metrics, /healthz, /readyz)");
ABSL_FLAG(std::string, admin_host, "127.0.0.1", "address the admin HTTP server binds");
ABSL_FLAG(std::string, log_level, "info", "minimum log level: debug|info|warn|error");

namespace {

int Fail(const std::string& message) {
  hiresync::log::Error("startup failed", {{"error", message}});
  std::fprintf(stderr, "hiresync-mapper: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Blocked before any thread starts, so every thread inherits the mask and only the
  // sigwait below sees the signals.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::vector<std::string> positional = hiresync::config::ParseFlags(
      argc, argv, "hiresync-mapper: maps Greenhouse hires to GoCo employee drafts over gRPC");

  hiresync::log::Level level;
  if (!hiresync::log::ParseLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    hiresync::log::Init("mapper");
    return Fail(absl::StrCat("--log_level=", absl::GetFlag(FLAGS_log_level),
                             " is not a log level: use debug, info, warn or error"));
  }
  hiresync::log::Init("mapper", level);
  hiresync::grpcutil::RouteGrpcLogsToJsonLog();
  if (!positional.empty()) {
    return Fail(absl::StrCat("unexpected argument '", positional.front(),
                             "': hiresync-mapper takes only --flags (see --help)"));
  }
  const int admin_port = absl::GetFlag(FLAGS_admin_listen_port);
  if (admin_port < 0 || admin_port > 65535) {
    return Fail(absl::StrCat("--admin_listen_port=", admin_port,
                             " is not a TCP port: use 0..65535 (0 picks a free one)"));
  }
  const std::string grpc_listen = absl::GetFlag(FLAGS_grpc_listen);
  if (grpc_listen.empty()) {
    return Fail("--grpc_listen is empty: give host:port, e.g. 127.0.0.1:50052");
  }

  absl::StatusOr<hiresync::grpcutil::ServerOptions> grpc_options =
      hiresync::grpcutil::ServerOptionsFromFlags();
  if (!grpc_options.ok()) return Fail(std::string(grpc_options.status().message()));

  hiresync::http::AdminServer admin;
  if (absl::Status status = admin.Start(absl::GetFlag(FLAGS_admin_host), admin_port);
      !status.ok()) {
    return Fail(std::string(status.message()));
  }

  hiresync::mapper::MapperService service;
  absl::StatusOr<hiresync::grpcutil::RunningServer> server =
      hiresync::grpcutil::StartServer(grpc_listen, {&service}, *grpc_options);
  if (!server.ok()) {
    admin.Stop();
    return Fail(std::string(server.status().message()));
  }
  server->SetServing(true);
  admin.SetReady(true);
  hiresync::log::Info("started", {{"grpc_port", server->port},
                                  {"grpc_tls", grpc_options->tls ? "mtls" : "plaintext"},
                                  {"grpc_health_port", server->health_port},
                                  {"admin_port", admin.port()}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  hiresync::log::Info("stopping", {{"signal", signal_number}});
  admin.SetReady(false);
  server->Shutdown(absl::Seconds(10));
  admin.Stop();
  hiresync::log::Info("stopped");
  return 0;
}
