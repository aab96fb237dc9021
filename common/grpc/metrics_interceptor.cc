#include "common/grpc/metrics_interceptor.h"

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "common/metrics/metrics.h"

namespace hiresync::grpcutil {
namespace {

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::OK: return "OK";
    case grpc::CANCELLED: return "Canceled";
    case grpc::UNKNOWN: return "Unknown";
    case grpc::INVALID_ARGUMENT: return "InvalidArgument";
    case grpc::DEADLINE_EXCEEDED: return "DeadlineExceeded";
    case grpc::NOT_FOUND: return "NotFound";
    case grpc::ALREADY_EXISTS: return "AlreadyExists";
    case grpc::PERMISSION_DENIED: return "PermissionDenied";
    case grpc::RESOURCE_EXHAUSTED: return "ResourceExhausted";
    case grpc::FAILED_PRECONDITION: return "FailedPrecondition";
    case grpc::ABORTED: return "Aborted";
    case grpc::OUT_OF_RANGE: return "OutOfRange";
    case grpc::UNIMPLEMENTED: return "Unimplemented";
    case grpc::INTERNAL: return "Internal";
    case grpc::UNAVAILABLE: return "Unavailable";
    case grpc::DATA_LOSS: return "DataLoss";
    case grpc::UNAUTHENTICATED: return "Unauthenticated";
    default: return "Unknown";
  }
}

class Families {
 public:
  static Families& Get() {
    static Families families;
    return families;
  }

  prometheus::Counter& Handled(const std::string& service, const std::string& method,
                               grpc::StatusCode code) {
    std::lock_guard<std::mutex> lock(mu_);
    auto key = service + "/" + method + "/" + CodeName(code);
    auto it = handled_children_.find(key);
    if (it != handled_children_.end()) return *it->second;
    auto* child = &handled_.Add(
        {{"grpc_service", service}, {"grpc_method", method}, {"grpc_code", CodeName(code)}});
    handled_children_.emplace(key, child);
    return *child;
  }

  prometheus::Histogram& Seconds(const std::string& service, const std::string& method) {
    std::lock_guard<std::mutex> lock(mu_);
    auto key = service + "/" + method;
    auto it = seconds_children_.find(key);
    if (it != seconds_children_.end()) return *it->second;
    auto* child = &seconds_.Add({{"grpc_service", service}, {"grpc_method", method}},
                                metrics::LatencyBuckets());
    seconds_children_.emplace(key, child);
    return *child;
  }

 private:
  Families()
      : handled_(prometheus::BuildCounter()
                     .Name("grpc_server_handled_total")
                     .Help("RPCs completed on the server, by method and status code.")
                     .Register(*metrics::Registry())),
        seconds_(prometheus::BuildHistogram()
                     .Name("grpc_server_handling_seconds")
                     .Help("Time to handle an RPC on the server.")
                     .Register(*metrics::Registry())) {}

  std::mutex mu_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& seconds_;
  std::map<std::string, prometheus::Counter*> handled_children_;
  std::map<std::string, prometheus::Histogram*> seconds_children_;
};

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit MetricsInterceptor(grpc::experimental::ServerRpcInfo* info)
      : start_(std::chrono::steady_clock::now()) {
    std::string full = info->method() ? info->method() : "";
    // "/package.Service/Method"
    auto slash = full.rfind('/');
    if (slash != std::string::npos && slash > 0) {
      service_ = full.substr(1, slash - 1);
      method_ = full.substr(slash + 1);
    } else {
      service_ = "unknown";
      method_ = full;
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      auto& families = Families::Get();
      families.Handled(service_, method_, status.error_code()).Increment();
      families.Seconds(service_, method_).Observe(seconds);
    }
    methods->Proceed();
  }

 private:
  std::chrono::steady_clock::time_point start_;
  std::string service_;
  std::string method_;
};

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(info);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeMetricsInterceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>();
}

}  // namespace hiresync::grpcutil
