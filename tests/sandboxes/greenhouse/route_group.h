// Internal to the sandbox server: each API the sandbox imitates is a RouteGroup that owns
// its in-memory state. Sandbox registers every group on one httplib server and resets
// them all on POST /_sandbox/reset.
#pragma once

#include <string>

#include "httplib.h"
#include "nlohmann/json.hpp"

namespace hiresync::greenhouse_sandbox {

class RouteGroup {
 public:
  virtual ~RouteGroup() = default;
  virtual void Register(httplib::Server& server) = 0;
  // Forgets all state; must be safe while requests are in flight.
  virtual void Reset() = 0;
};

inline void ReplyJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump() + "\n", "application/json");
}

inline void ReplyJsonError(httplib::Response& res, int status, const std::string& message) {
  ReplyJson(res, status, nlohmann::json{{"error", message}});
}

}  // namespace hiresync::greenhouse_sandbox
