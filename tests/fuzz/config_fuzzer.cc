// The connections file (common/config/config.h Parse). Secret files resolve against a
// temporary folder holding two secret files; one environment variable is set.
// Checks that what Parse accepts holds what it promises: valid ids, secrets present.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "common/config/config.h"

namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "config fuzzer: %s\n", what.c_str());
  std::abort();
}

// A temporary folder with the secret files the seeds name, removed at exit.
class SecretsDir {
 public:
  SecretsDir() {
    char pattern[] = "/tmp/hiresync-config-fuzz-XXXXXX";
    if (mkdtemp(pattern) == nullptr) Fail("cannot create a temporary folder in /tmp");
    path_ = pattern;
    std::ofstream(path_ + "/secret") << "fuzz-webhook-secret\n";
    std::ofstream(path_ + "/key") << "fuzz-goco-key";
    setenv("HIRESYNC_FUZZ_SECRET", "fuzz-env-secret", 1);
  }
  ~SecretsDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const SecretsDir dir;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = hiresync::config::Parse(text, "fuzz.json", dir.path());
  if (!parsed.ok()) return 0;
  for (const auto& [id, connection] : (*parsed)->all()) {
    if (id.empty() || id != connection.id() || (*parsed)->Find(id) != &connection) {
      Fail("a parsed connection is not found by its own id");
    }
    if (connection.webhook_secret.empty() || connection.goco_api_key.empty()) {
      Fail("a parsed connection has an empty required secret");
    }
  }
  return 0;
}
