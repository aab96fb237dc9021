#include "tests/support/http.h"

#include <chrono>

#include "httplib.h"

namespace hiresync::testing {

HttpReply HttpCall(int port, const std::string& method, const std::string& path,
                   const std::string& json_body) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(10));
  httplib::Result result = method == "GET"      ? client.Get(path)
                           : method == "PUT"    ? client.Put(path, json_body, "application/json")
                           : method == "DELETE" ? client.Delete(path)
                                                : client.Post(path, json_body, "application/json");
  HttpReply reply;
  if (!result) return reply;
  reply.status = result->status;
  reply.body = result->body;
  return reply;
}

}  // namespace hiresync::testing
