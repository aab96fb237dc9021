// The settings every hiresync API client gives its cpp-httplib client. httplib stays out of
// this header.
#pragma once

#include "absl/time/time.h"

namespace httplib {
class Client;
}

namespace hiresync::http_client {

struct Timeouts {
  absl::Duration connect;
  absl::Duration read;
  absl::Duration write;
};

// Sets the timeouts and has httplib send paths as given: the clients percent-encode what
// they build, and next-page URLs are used as the API wrote them.
void ConfigureClient(httplib::Client& client, const Timeouts& timeouts);

}  // namespace hiresync::http_client
