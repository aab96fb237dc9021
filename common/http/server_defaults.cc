#include "common/http/server_defaults.h"

#include <sys/socket.h>

#include <chrono>

namespace hiresync::http {

void ApplyServerDefaults(httplib::Server& server, const ServerLimits& limits) {
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_payload_max_length(limits.max_body_bytes);
  server.set_read_timeout(limits.read_timeout_seconds, 0);
  server.set_write_timeout(limits.write_timeout_seconds, 0);
  server.set_keep_alive_max_count(limits.keep_alive_max_count);
  server.set_keep_alive_timeout(limits.keep_alive_timeout_seconds);
  size_t threads = limits.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
}

std::unique_ptr<httplib::Server> NewServer(const std::string& cert_file,
                                           const std::string& key_file) {
  if (cert_file.empty() && key_file.empty()) return std::make_unique<httplib::Server>();
  return std::make_unique<httplib::SSLServer>(cert_file.c_str(), key_file.c_str());
}

std::thread ListenInBackground(httplib::Server& server) {
  std::thread thread([&server] { server.listen_after_bind(); });
  // Bounded: listen_after_bind sets is_running() first thing.
  for (int i = 0; i < 5000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return thread;
}

int Bind(httplib::Server& server, const char* host, int port) {
  if (port == 0) return server.bind_to_any_port(host);
  return server.bind_to_port(host, port) ? port : -1;
}

}  // namespace hiresync::http
