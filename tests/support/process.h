// Helpers for tests that run the real binaries on loopback.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hiresync::testing {

// A TCP port on 127.0.0.1 that is free and reserved for this process (see process.cc).
int FreePort();

// Folder of the built binaries (HIRESYNC_BIN_DIR, else the build's bin/).
std::string BinDir();

// Folder of ../shared/fixtures/greenhouse (HIRESYNC_FIXTURES_DIR, else next to the source tree).
std::string FixturesDir();

// A fresh temporary directory, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& contents);

// A child process; its stdout and stderr go to `log_path`. The destructor sends
// SIGTERM, waits up to 10 s, then SIGKILLs.
class Process {
 public:
  static absl::StatusOr<std::unique_ptr<Process>> Start(
      const std::string& binary, const std::vector<std::string>& args,
      const std::map<std::string, std::string>& env = {}, const std::string& log_path = "");
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits for exit; returns the exit code, or 128+signal. -1 on timeout.
  int Wait(absl::Duration timeout = absl::Seconds(15));
  bool Running();
  const std::string& log_path() const { return log_path_; }
  std::string Log() const;

 private:
  Process(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  pid_t pid_;
  std::string log_path_;
  bool exited_ = false;
  int exit_code_ = -1;
};

// Polls `condition` every 20 ms until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(15));

// Polls GET http://127.0.0.1:port/path until it answers 200.
bool WaitForHttp(int port, const std::string& path, absl::Duration timeout = absl::Seconds(15));

}  // namespace hiresync::testing
