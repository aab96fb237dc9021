// absl::Status helpers and the one conversion each to gRPC and HTTP at the edges.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define HIRESYNC_CONCAT_INNER_(a, b) a##b
#define HIRESYNC_CONCAT_(a, b) HIRESYNC_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                    \
  do {                                           \
    ::absl::Status _hiresync_status = (expr);    \
    if (!_hiresync_status.ok()) return _hiresync_status; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, StatusOrExpr());`
#define ASSIGN_OR_RETURN(lhs, expr) \
  HIRESYNC_ASSIGN_OR_RETURN_IMPL_(HIRESYNC_CONCAT_(_hiresync_statusor_, __LINE__), lhs, expr)
#define HIRESYNC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

namespace hiresync::status {

grpc::Status ToGrpc(const absl::Status& status);
absl::Status FromGrpc(const grpc::Status& status);

// The HTTP status an absl::Status maps to at an HTTP edge.
int ToHttp(const absl::Status& status);

// True for the failures worth retrying: UNAVAILABLE, DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED, ABORTED.
bool IsTransient(const absl::Status& status);

}  // namespace hiresync::status
