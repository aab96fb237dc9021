// Starts a sandbox binary (goco-sandbox, greenhouse-sandbox) on 127.0.0.1 for a test.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/support/process.h"

namespace hiresync::testing {

struct RunningSandbox {
  int port = 0;
  std::unique_ptr<Process> process;
};

// Runs BinDir()/`binary` with `args` plus --host 127.0.0.1 --port <FreePort()>, its output
// in `log_path`, and returns once it answers GET /_sandbox/healthz (UNAVAILABLE with its log
// when it does not).
absl::StatusOr<RunningSandbox> StartSandbox(const std::string& binary,
                                            std::vector<std::string> args,
                                            const std::string& log_path);

}  // namespace hiresync::testing
