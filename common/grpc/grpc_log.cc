#include "common/grpc/grpc_log.h"

#include <grpc/support/log.h>

#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace hiresync::grpcutil {
namespace {

log::Level LevelOf(gpr_log_severity severity) {
  switch (severity) {
    case GPR_LOG_SEVERITY_DEBUG:
      return log::Level::kDebug;
    case GPR_LOG_SEVERITY_INFO:
      return log::Level::kInfo;
    case GPR_LOG_SEVERITY_ERROR:
      break;
  }
  return log::Level::kError;
}

void WriteGrpcLine(gpr_log_func_args* args) {
  log::Write(LevelOf(args->severity), "grpc",
             {{"detail", args->message ? args->message : ""},
              {"source", absl::StrCat(args->file ? args->file : "?", ":", args->line)}});
}

}  // namespace

void RouteGrpcLogsToJsonLog() {
  static std::once_flag once;
  std::call_once(once, [] { gpr_set_log_function(WriteGrpcLine); });
}

}  // namespace hiresync::grpcutil
