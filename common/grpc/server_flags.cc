#include <string>

#include "absl/flags/flag.h"
#include "common/grpc/flags.h"

ABSL_FLAG(std::string, grpc_health_listen, "",
          "host:port of a second, plaintext gRPC server with only grpc.health.v1, serving what "
          "the main server serves (for kubelet's gRPC probes, which cannot do mTLS); empty: off.");

namespace hiresync::grpcutil {

absl::StatusOr<ServerOptions> ServerOptionsFromFlags() {
  auto tls = TlsFromFlags();
  if (!tls.ok()) return tls.status();
  ServerOptions options;
  options.tls = std::move(*tls);
  options.health_listen = absl::GetFlag(FLAGS_grpc_health_listen);
  return options;
}

}  // namespace hiresync::grpcutil
