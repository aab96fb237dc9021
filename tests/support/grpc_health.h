// grpc.health.v1.Health/Check from tests, through a generic stub (no generated code).
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hiresync::testing {

enum class HealthStatus { kUnknown = 0, kServing = 1, kNotServing = 2, kServiceUnknown = 3 };

// Checks service "" on `channel`; the gRPC error (e.g. UNAVAILABLE: handshake refused)
// as an absl::Status.
absl::StatusOr<HealthStatus> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                         absl::Duration deadline = absl::Seconds(5));

}  // namespace hiresync::testing
