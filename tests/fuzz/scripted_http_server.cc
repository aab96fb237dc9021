#include "scripted_http_server.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "httplib.h"

namespace hiresync::fuzz {
namespace {

constexpr absl::string_view kAnswerMark = "--- ";

// The line at `pos` (without its '\n') and the position after it.
std::pair<absl::string_view, size_t> Line(absl::string_view text, size_t pos) {
  size_t end = text.find('\n', pos);
  if (end == absl::string_view::npos) return {text.substr(pos), text.size()};
  return {text.substr(pos, end - pos), end + 1};
}

}  // namespace

Script ParseScript(std::string_view input, const std::string& origin, size_t max_answers) {
  absl::string_view text(input.data(), input.size());
  auto with_origin = [&origin](absl::string_view value) {
    return absl::StrReplaceAll(value, {{"{origin}", origin}});
  };
  Script script;
  auto [operation, pos] = Line(text, 0);
  script.operation = std::string(absl::StripAsciiWhitespace(operation));
  while (pos < text.size() && script.answers.size() < max_answers) {
    ScriptedAnswer answer;
    auto [mark, after_mark] = Line(text, pos);
    if (mark.substr(0, kAnswerMark.size()) == kAnswerMark) {
      int status = 0;
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(mark.substr(kAnswerMark.size())), &status) &&
          status >= 200 && status <= 599) {
        answer.status = status;
      }
      pos = after_mark;
      while (pos < text.size()) {
        auto [header, next] = Line(text, pos);
        pos = next;
        if (absl::StripAsciiWhitespace(header).empty()) break;
        size_t colon = header.find(':');
        if (colon == absl::string_view::npos) continue;
        answer.headers.emplace_back(
            std::string(absl::StripAsciiWhitespace(header.substr(0, colon))),
            with_origin(absl::StripAsciiWhitespace(header.substr(colon + 1))));
      }
    }
    size_t body_end = text.find(absl::StrCat("\n", kAnswerMark), pos);
    if (body_end == absl::string_view::npos) body_end = text.size();
    answer.body = with_origin(text.substr(pos, body_end - pos));
    pos = body_end == text.size() ? body_end : body_end + 1;
    script.answers.push_back(std::move(answer));
  }
  return script;
}

ScriptedHttpServer::ScriptedHttpServer() : server_(std::make_unique<httplib::Server>()) {
  auto handler = [this](const httplib::Request&, httplib::Response& response) {
    ScriptedAnswer answer = Next();
    response.status = answer.status;
    for (auto& [name, value] : answer.headers) response.set_header(name, value);
    response.set_content(answer.body, "application/json");
  };
  server_->Get(".*", handler);
  server_->Post(".*", handler);
  int port = server_->bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::fprintf(stderr, "fuzz: cannot listen on 127.0.0.1 for the scripted HTTP server\n");
    std::abort();
  }
  origin_ = absl::StrCat("http://127.0.0.1:", port);
  // Bound before the thread starts, so requests queue in the backlog until it runs.
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  server_->stop();
  thread_.join();
}

void ScriptedHttpServer::Play(std::vector<ScriptedAnswer> answers) {
  std::lock_guard lock(mutex_);
  answers_ = std::move(answers);
  next_ = 0;
}

ScriptedAnswer ScriptedHttpServer::Next() {
  std::lock_guard lock(mutex_);
  if (next_ >= answers_.size()) return ScriptedAnswer{503, {}, "{}"};
  return answers_[next_++];
}

}  // namespace hiresync::fuzz
