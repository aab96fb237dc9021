#include "tests/sandboxes/goco/http_frontend.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/http/server_defaults.h"
#include "httplib.h"
#include "nlohmann/json.hpp"

namespace hiresync::goco_sandbox {
namespace {

// Room above the 25 MiB a file for the multipart framing, so that the sandbox itself answers
// 413 for a file just over the limit; larger bodies get httplib's 413.
constexpr size_t kPayloadLimitBytes = static_cast<size_t>(kMaxDocumentBytes) + 1024 * 1024;

std::mutex& LogMutex() {
  static std::mutex mutex;
  return mutex;
}

bool AddressMatches(const sockaddr_storage& address, const std::string& ip, int port) {
  char text[INET6_ADDRSTRLEN] = {};
  int actual_port = -1;
  if (address.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    actual_port = ntohs(in->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    actual_port = ntohs(in6->sin6_port);
  } else {
    return false;
  }
  return actual_port == port && ip == text;
}

// httplib gives a handler no socket, so find this request's connection among the process's
// descriptors by its two endpoints and shut it down: the client then reads end-of-stream
// without a single byte of answer.
bool DropConnection(const httplib::Request& request) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return false;
  bool dropped = false;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    sockaddr_storage local{};
    sockaddr_storage peer{};
    socklen_t local_len = sizeof local;
    socklen_t peer_len = sizeof peer;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
      continue;
    }
    if (AddressMatches(local, request.local_addr, request.local_port) &&
        AddressMatches(peer, request.remote_addr, request.remote_port)) {
      shutdown(static_cast<int>(fd), SHUT_RDWR);
      dropped = true;
      break;
    }
  }
  closedir(dir);
  return dropped;
}

HttpRequest Convert(const httplib::Request& request) {
  HttpRequest converted;
  converted.method = request.method;
  converted.path = request.path;
  for (const auto& [name, value] : request.params) converted.query.emplace(name, value);
  for (const auto& [name, value] : request.headers) {
    converted.headers.emplace(absl::AsciiStrToLower(name), value);
  }
  converted.body = request.body;
  converted.multipart = request.is_multipart_form_data();
  for (const auto& [name, part] : request.files) {
    converted.parts.push_back({part.name, part.filename, part.content_type, part.content});
  }
  return converted;
}

void LogRequest(const std::string& method, const std::string& path, int status, double ms,
                bool dropped) {
  nlohmann::json fields = {
      {"method", method}, {"path", path}, {"status", status}, {"ms", static_cast<int64_t>(ms)}};
  if (dropped) fields["dropped_connection"] = true;
  std::string members = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  LogLine("info", "request", members.substr(1, members.size() - 2));
}

}  // namespace

void LogLine(const std::string& level, const std::string& message, const std::string& fields) {
  nlohmann::ordered_json head = {
      {"ts", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone())},
      {"level", level},
      {"service", "goco-sandbox"},
      {"msg", message}};
  std::string line = head.dump();
  if (!fields.empty()) line = absl::StrCat(line.substr(0, line.size() - 1), ",", fields, "}");
  std::lock_guard<std::mutex> lock(LogMutex());
  std::fprintf(stdout, "%s\n", line.c_str());
  std::fflush(stdout);
}

struct HttpFrontend::Impl {
  Impl(Sandbox& s, std::unique_ptr<httplib::Server> server)
      : sandbox(s), server(std::move(server)) {}
  Sandbox& sandbox;
  std::unique_ptr<httplib::Server> server;
};

HttpFrontend::HttpFrontend(Sandbox& sandbox, const std::string& tls_cert_file,
                           const std::string& tls_key_file)
    : impl_(std::make_unique<Impl>(sandbox, http::NewServer(tls_cert_file, tls_key_file))) {
  httplib::Server& server = *impl_->server;
  server.set_payload_max_length(kPayloadLimitBytes);
  // httplib's default also sets SO_REUSEPORT, which would let a second sandbox bind a port
  // already in use; keep only SO_REUSEADDR so that case fails loudly.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_read_timeout(30, 0);
  server.set_write_timeout(30, 0);

  auto handler = [this](const httplib::Request& request, httplib::Response& response) {
    auto start = std::chrono::steady_clock::now();
    HttpResponse answer = impl_->sandbox.Handle(Convert(request));
    for (const auto& [name, value] : answer.headers) response.set_header(name, value);
    response.status = answer.status;
    response.set_content(answer.body, "application/json");
    bool dropped = answer.drop_connection && DropConnection(request);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (request.path != "/_sandbox/healthz") {
      LogRequest(request.method, request.path, answer.status, ms, dropped);
    }
  };
  const char* kAnyPath = R"(/.*)";
  server.Get(kAnyPath, handler);
  server.Post(kAnyPath, handler);
  server.Put(kAnyPath, handler);
  server.Patch(kAnyPath, handler);
  server.Delete(kAnyPath, handler);

  // Errors httplib answers by itself (unparsable request, body over the payload limit) still
  // get the contract's error body and rate-limit headers.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& request, httplib::Response& response) {
        if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        std::string message =
            response.status == 413
                ? absl::StrCat("the request body is over ", kPayloadLimitBytes,
                               " bytes; GoCo accepts at most 25 MiB a file: upload a smaller file")
                : absl::StrCat("the request was refused with status ", response.status,
                               "; check the method, path and body");
        for (const auto& [name, value] : impl_->sandbox.RateLimitHeadersFor(
                 request.path, request.get_header_value("Authorization"))) {
          response.set_header(name, value);
        }
        response.set_content(ErrorBody(ErrorCodeForStatus(response.status), message),
                             "application/json");
        LogRequest(request.method, request.path, response.status, 0, false);
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [](const httplib::Request& request, httplib::Response& response, std::exception_ptr) {
        response.status = 500;
        response.set_content(
            ErrorBody("internal_error",
                      "the sandbox failed on this request; see its log and report the bug"),
            "application/json");
        LogRequest(request.method, request.path, 500, 0, false);
      });
}

HttpFrontend::~HttpFrontend() = default;

absl::Status HttpFrontend::Bind(const std::string& host, int port) {
  if (!impl_->server->is_valid()) {
    return absl::FailedPreconditionError(
        "cannot serve HTTPS: --tls-cert-file and --tls-key-file must be a PEM certificate and "
        "its key");
  }
  if (!impl_->server->bind_to_port(host, port)) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", host, ":", port, " (", std::strerror(errno),
                     "); the port may be in use: stop the other process or pass another "
                     "--port"));
  }
  return absl::OkStatus();
}

void HttpFrontend::Run() { impl_->server->listen_after_bind(); }

void HttpFrontend::Stop() { impl_->server->stop(); }

}  // namespace hiresync::goco_sandbox
