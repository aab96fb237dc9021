// RED metrics for every gRPC method a server handles:
// grpc_server_handled_total{grpc_service,grpc_method,grpc_code} and
// grpc_server_handling_seconds{grpc_service,grpc_method}.
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include <memory>

namespace hiresync::grpcutil {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeMetricsInterceptorFactory();

}  // namespace hiresync::grpcutil
