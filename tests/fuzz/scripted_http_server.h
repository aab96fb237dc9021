// What the client fuzzers share: a local HTTP server that answers each request with the
// next answer of a script, the script's text form (the fuzz input), and a clock that
// never sleeps.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "common/time/clock.h"

namespace httplib {
class Server;
}

namespace hiresync::fuzz {

struct ScriptedAnswer {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct Script {
  std::string operation;  // the first line
  std::vector<ScriptedAnswer> answers;
};

// Reads the text form of a script:
//
//   <operation>
//   --- <status>
//   <Header>: <value>        (any number of lines)
//   <empty line>
//   <body, up to the next line that starts with "--- " or the end>
//
// Lenient: whatever does not fit is read as body. "{origin}" in a header value or body
// becomes the server's origin (http://127.0.0.1:<port>). At most `max_answers` answers.
Script ParseScript(std::string_view text, const std::string& origin, size_t max_answers = 16);

// Listens on 127.0.0.1 (a port the system picks) until destroyed. Every request, of any
// method and path, gets the next answer of the script being played; once the script is
// used up, 503 with an empty JSON object.
class ScriptedHttpServer {
 public:
  ScriptedHttpServer();
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  const std::string& origin() const { return origin_; }
  void Play(std::vector<ScriptedAnswer> answers);

 private:
  ScriptedAnswer Next();

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string origin_;
  std::mutex mutex_;
  std::vector<ScriptedAnswer> answers_;
  size_t next_ = 0;
};

// Now() starts at a fixed time and moves only by SleepFor.
class FakeClock : public time::Clock {
 public:
  absl::Time Now() override { return now_; }
  void SleepFor(absl::Duration duration) override { now_ += duration; }

 private:
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
};

}  // namespace hiresync::fuzz
