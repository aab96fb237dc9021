// gRPC's own log lines (handshake failures, DNS errors, ...) as hiresync's JSON log lines on
// stdout instead of gRPC's plain text on stderr.
#pragma once

namespace hiresync::grpcutil {

// Installs the log function once per process; each service calls it after log::Init (a
// command-line tool keeps gRPC's lines on stderr, away from its answer on stdout).
void RouteGrpcLogsToJsonLog();

}  // namespace hiresync::grpcutil
