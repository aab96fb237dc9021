#include "tests/support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/file.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <vector>
#include <sstream>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "httplib.h"

namespace hiresync::testing {

int FreePort() {
  // Ports are drawn outside Linux's ephemeral range (32768-60999), so an outgoing
  // connection cannot take one between this check and the server's bind; and each is
  // reserved with a lock file held for this process's life, so test processes that ctest
  // runs in parallel never pick the same one.
  static std::mutex mu;
  static std::vector<int> held;  // lock fds, open until the process exits
  std::lock_guard<std::mutex> lock(mu);
  static std::mt19937 rng(static_cast<unsigned>(getpid()) ^
                          static_cast<unsigned>(absl::ToUnixNanos(absl::Now())));
  std::string dir = (std::filesystem::temp_directory_path() / "hiresync-test-ports").string();
  std::filesystem::create_directories(dir);
  for (int attempt = 0; attempt < 2000; ++attempt) {
    int port = 20000 + static_cast<int>(rng() % 12000);
    int lock_fd = open((dir + "/" + std::to_string(port)).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (lock_fd < 0) continue;
    if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
      close(lock_fd);
      continue;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool bindable = fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (fd >= 0) close(fd);
    if (!bindable) {
      close(lock_fd);
      continue;
    }
    held.push_back(lock_fd);
    return port;
  }
  throw std::runtime_error("no free port on 127.0.0.1 in 20000-31999");
}

std::string BinDir() {
  if (const char* dir = std::getenv("HIRESYNC_BIN_DIR")) return dir;
  return HIRESYNC_DEFAULT_BIN_DIR;
}

std::string FixturesDir() {
  if (const char* dir = std::getenv("HIRESYNC_FIXTURES_DIR")) return dir;
  return HIRESYNC_DEFAULT_FIXTURES_DIR;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "hiresync-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  if (!out) throw std::runtime_error("cannot write " + path);
}

absl::StatusOr<std::unique_ptr<Process>> Process::Start(
    const std::string& binary, const std::vector<std::string>& args,
    const std::map<std::string, std::string>& env, const std::string& log_path) {
  if (access(binary.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("not an executable: ", binary));
  }
  std::string log = log_path.empty() ? "/dev/null" : log_path;
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    setpgid(0, 0);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return std::unique_ptr<Process>(new Process(pid, log));
}

Process::~Process() {
  if (exited_) return;
  Signal(SIGTERM);
  if (Wait(absl::Seconds(10)) == -1) {
    Signal(SIGKILL);
    Wait(absl::Seconds(5));
  }
}

void Process::Signal(int sig) {
  if (!exited_) kill(pid_, sig);
}

bool Process::Running() {
  if (exited_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

int Process::Wait(absl::Duration timeout) {
  WaitFor([this] { return !Running(); }, timeout);
  return exited_ ? exit_code_ : -1;
}

std::string Process::Log() const { return ReadFile(log_path_); }

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (condition()) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));  // poll interval, bounded by the deadline
  }
}

bool WaitForHttp(int port, const std::string& path, absl::Duration timeout) {
  return WaitFor(
      [&] {
        httplib::Client client("127.0.0.1", port);
        client.set_connection_timeout(0, 200 * 1000);
        auto res = client.Get(path.c_str());
        return res && res->status == 200;
      },
      timeout);
}

}  // namespace hiresync::testing
