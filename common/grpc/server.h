// gRPC server and channel helpers: every server has grpc.health.v1 and reflection;
// every outgoing call gets a deadline from one place.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hiresync::grpcutil {

struct RunningServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  // Marks the overall health ("") and each service SERVING / NOT_SERVING.
  void SetServing(bool serving);
};

// Starts a server on `address` ("127.0.0.1:0" picks a port) with `services`, the
// health service (initially NOT_SERVING; call SetServing) and reflection.
absl::StatusOr<RunningServer> StartServer(const std::string& address,
                                          const std::vector<grpc::Service*>& services);

// An insecure channel to `target` ("127.0.0.1:50051" or "dns:///svc:50051") with
// round-robin load balancing and keepalive.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target);

// A client context whose deadline is now + `timeout`.
std::unique_ptr<grpc::ClientContext> ContextWithDeadline(absl::Duration timeout);

}  // namespace hiresync::grpcutil
