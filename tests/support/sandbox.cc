#include "tests/support/sandbox.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace hiresync::testing {

absl::StatusOr<RunningSandbox> StartSandbox(const std::string& binary,
                                            std::vector<std::string> args,
                                            const std::string& log_path) {
  RunningSandbox sandbox;
  sandbox.port = FreePort();
  args.insert(args.end(), {"--host", "127.0.0.1", "--port", std::to_string(sandbox.port)});
  auto process = Process::Start(BinDir() + "/" + binary, args, {}, log_path);
  if (!process.ok()) return process.status();
  sandbox.process = std::move(*process);
  if (!WaitForHttp(sandbox.port, "/_sandbox/healthz")) {
    return absl::UnavailableError(absl::StrCat(binary, " did not start: ", sandbox.process->Log()));
  }
  return sandbox;
}

}  // namespace hiresync::testing
