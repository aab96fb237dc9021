// The gRPC flags every service shares (--tls_*, --grpc_health_listen), read once in main
// after config::ParseFlags (so HIRESYNC_TLS_CERT_FILE etc. work too).
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "common/grpc/server.h"
#include "common/grpc/tls.h"

namespace hiresync::grpcutil {

// The --tls_* flags: null when none of the three files is given (plaintext); an error
// naming the missing flag when only some are, or when a file is unusable.
absl::StatusOr<std::shared_ptr<const Tls>> TlsFromFlags();

// TlsFromFlags() plus --grpc_health_listen.
absl::StatusOr<ServerOptions> ServerOptionsFromFlags();

}  // namespace hiresync::grpcutil
