#include "common/http_client/client_setup.h"

#include <chrono>

#include "httplib.h"

namespace hiresync::http_client {
namespace {

std::chrono::microseconds Micros(absl::Duration duration) {
  return std::chrono::microseconds(absl::ToInt64Microseconds(duration));
}

}  // namespace

void ConfigureClient(httplib::Client& client, const Timeouts& timeouts) {
  client.set_connection_timeout(Micros(timeouts.connect));
  client.set_read_timeout(Micros(timeouts.read));
  client.set_write_timeout(Micros(timeouts.write));
  client.set_url_encode(false);
}

}  // namespace hiresync::http_client
