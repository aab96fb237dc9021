// Defaults for every cpp-httplib server in the project (services and sandboxes).
// Only .cc files include this: it pulls in httplib.h.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "httplib.h"

namespace hiresync::http {

struct ServerLimits {
  size_t max_body_bytes = 5 * 1024 * 1024;
  int read_timeout_seconds = 10;
  int write_timeout_seconds = 10;
  int keep_alive_max_count = 100;
  int keep_alive_timeout_seconds = 5;
  size_t threads = 8;
};

// Applies the limits and a bounded thread pool, and replaces httplib's default socket
// options (which set SO_REUSEPORT, letting a second process silently share a port)
// with SO_REUSEADDR only, so "port already in use" is an error.
void ApplyServerDefaults(httplib::Server& server, const ServerLimits& limits = {});

// A plain HTTP server, or an HTTPS one when `cert_file` and `key_file` (PEM) are given;
// check is_valid() (false when they cannot be loaded).
std::unique_ptr<httplib::Server> NewServer(const std::string& cert_file = "",
                                           const std::string& key_file = "");

// Binds host:port (0 picks a free port). Returns the bound port, or -1.
int Bind(httplib::Server& server, const char* host, int port);

// Serves a bound server on a new thread and returns once it is accepting: httplib's
// stop() does nothing before the listen loop runs, so a stop right after a start would
// otherwise be lost and the thread never end.
std::thread ListenInBackground(httplib::Server& server);

}  // namespace hiresync::http
