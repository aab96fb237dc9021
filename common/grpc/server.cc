#include "common/grpc/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>

#include "absl/strings/str_cat.h"
#include "common/grpc/metrics_interceptor.h"

namespace hiresync::grpcutil {
namespace {

// Keeps reflection (a builder plugin) off the health-only server.
class WithoutPlugins : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->clear();
  }
};

absl::Status ListenError(const std::string& address, const char* flag) {
  return absl::UnavailableError(absl::StrCat("cannot listen for gRPC on ", address, " (", flag,
                                             "): is the port already in use? Stop the other "
                                             "process or choose another port."));
}

absl::StatusOr<std::unique_ptr<grpc::Server>> StartHealthServer(
    const std::string& address, grpc::CallbackGenericService* fallback, int* port) {
  grpc::ServerBuilder builder;
  builder.SetOption(std::make_unique<WithoutPlugins>());
  builder.RegisterCallbackGenericService(fallback);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), port);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || *port == 0) return ListenError(address, "--grpc_health_listen");
  return server;
}

}  // namespace

void RunningServer::SetServing(bool serving) {
  for (grpc::Server* s : {server.get(), health_server.get()}) {
    if (s && s->GetHealthCheckService()) s->GetHealthCheckService()->SetServingStatus(serving);
  }
}

void RunningServer::Shutdown(absl::Duration grace) {
  SetServing(false);
  if (server) {
    server->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server->Wait();
  }
  if (health_server) {
    health_server->Shutdown(std::chrono::system_clock::now());
    health_server->Wait();
  }
}

absl::StatusOr<RunningServer> StartServer(const std::string& address,
                                          const std::vector<grpc::Service*>& services,
                                          const ServerOptions& options) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  RunningServer running;
  builder.AddListeningPort(
      address, options.tls ? options.tls->ServerCredentials() : grpc::InsecureServerCredentials(),
      &running.port);
  // Without this gRPC sets SO_REUSEPORT and a second process silently shares the port.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (grpc::Service* service : services) builder.RegisterService(service);
  // Connections are recycled so new replicas behind a headless Service get traffic.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, 5 * 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 30 * 1000);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(MakeMetricsInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(factories));
  running.server = builder.BuildAndStart();
  if (!running.server || running.port == 0) return ListenError(address, "--grpc_listen");
  if (!options.health_listen.empty()) {
    running.health_fallback = std::make_unique<grpc::CallbackGenericService>();
    auto health = StartHealthServer(options.health_listen, running.health_fallback.get(),
                                    &running.health_port);
    if (!health.ok()) {
      running.server->Shutdown(std::chrono::system_clock::now());
      return health.status();
    }
    running.health_server = std::move(*health);
  }
  running.SetServing(false);
  return running;
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target, const Tls* tls) {
  grpc::ChannelArguments args;
  args.SetLoadBalancingPolicyName("round_robin");
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30 * 1000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10 * 1000);
  // Reconnect to a restarted peer within a second or two, never more than 10 s apart.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 10 * 1000);
  if (tls == nullptr) {
    return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  }
  if (!tls->options().server_name.empty()) {
    args.SetSslTargetNameOverride(tls->options().server_name);
  }
  return grpc::CreateCustomChannel(target, tls->ChannelCredentials(), args);
}

std::unique_ptr<grpc::ClientContext> ContextWithDeadline(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

}  // namespace hiresync::grpcutil
