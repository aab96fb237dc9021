// goco-sandbox: an in-memory test double of the GoCo API contract in goco-api.md.
// The HTTP server (http_frontend.h) turns requests into HttpRequest and writes HttpResponse
// back; everything the sandbox decides is decided here, under one mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace hiresync::goco_sandbox {

struct FormPart {
  std::string name;
  std::string filename;
  std::string content_type;
  std::string content;
};

struct HttpRequest {
  std::string method;
  std::string path;  // decoded, without the query string
  std::multimap<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool multipart = false;
  std::vector<FormPart> parts;
};

struct HttpResponse {
  int status = 200;
  std::string body;  // always JSON
  std::vector<std::pair<std::string, std::string>> headers;
  // The frontend closes the TCP connection instead of answering (the call was processed).
  bool drop_connection = false;
};

struct SandboxState;

inline constexpr int64_t kMaxDocumentBytes = int64_t{25} * 1024 * 1024;

class Sandbox {
 public:
  using Clock = std::function<absl::Time()>;

  explicit Sandbox(Clock clock = [] { return absl::Now(); });
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Startup configuration: creates `company` if needed and registers `key` for it. Keys
  // registered here survive POST /_sandbox/reset.
  void AddStartupApiKey(const std::string& company, const std::string& key);
  void EnsureCompany(const std::string& company);

  // Loads {"companies": {"<name>": {"api_keys": [...], "catalog": {...}, "employees": [...]}}}.
  // Its API keys count as startup keys.
  absl::Status LoadSeed(const std::string& json_text);

  // Answers one HTTP call: the contract under /v1/companies/{company}/, the test API under
  // /_sandbox/. May block for an injected latency (without holding the lock).
  HttpResponse Handle(const HttpRequest& request);

  // Headers an error answered by the HTTP layer itself (e.g. a body over the server's
  // payload limit) should still carry: the rate-limit headers for contract paths.
  std::vector<std::pair<std::string, std::string>> RateLimitHeadersFor(
      const std::string& path, const std::string& authorization);

 private:
  HttpResponse HandleTestApi(const HttpRequest& request);

  std::unique_ptr<SandboxState> state_;
  Clock clock_;
  std::mutex mutex_;
};

// The error body every error carries: {"error": {"code", "message"}}.
std::string ErrorBody(const std::string& code, const std::string& message);
std::string ErrorCodeForStatus(int status);

}  // namespace hiresync::goco_sandbox
