// gRPC server and channel helpers: every server has grpc.health.v1 and reflection;
// every outgoing call gets a deadline from one place.
#pragma once

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/grpc/tls.h"

namespace hiresync::grpcutil {

struct ServerOptions {
  // mTLS on the main port; null: plaintext.
  std::shared_ptr<const Tls> tls;
  // A second, plaintext server with only grpc.health.v1 (for kubelet's gRPC probes, which
  // cannot present a client certificate); empty: none.
  std::string health_listen;
};

struct RunningServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  // Answers UNIMPLEMENTED for every method but the health check on the health port.
  std::unique_ptr<grpc::CallbackGenericService> health_fallback;
  std::unique_ptr<grpc::Server> health_server;
  int health_port = 0;
  // Marks the overall health ("") and each service SERVING / NOT_SERVING, on both ports.
  void SetServing(bool serving);
  // Lets calls in flight finish until `grace` ends, then stops both servers.
  void Shutdown(absl::Duration grace);
};

// Starts a server on `address` ("127.0.0.1:0" picks a port) with `services`, the
// health service (initially NOT_SERVING; call SetServing) and reflection.
absl::StatusOr<RunningServer> StartServer(const std::string& address,
                                          const std::vector<grpc::Service*>& services,
                                          const ServerOptions& options = {});

// A channel to `target` ("127.0.0.1:50051" or "dns:///svc:50051") with round-robin load
// balancing and keepalive; with `tls`, mTLS (else plaintext).
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target, const Tls* tls = nullptr);

// A client context whose deadline is now + `timeout`.
std::unique_ptr<grpc::ClientContext> ContextWithDeadline(absl::Duration timeout);

}  // namespace hiresync::grpcutil
