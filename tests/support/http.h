// Plain HTTP calls from tests to a server on 127.0.0.1 (sandboxes' test APIs, admin ports).
#pragma once

#include <string>

namespace hiresync::testing {

struct HttpReply {
  int status = 0;  // 0: no answer
  std::string body;
};

// `method` is GET, POST, PUT or DELETE; POST and PUT send `json_body` as application/json.
// Waits at most 10 s for the answer.
HttpReply HttpCall(int port, const std::string& method, const std::string& path,
                   const std::string& json_body = "");

}  // namespace hiresync::testing
