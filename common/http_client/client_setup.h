// The settings every hiresync API client gives its cpp-httplib client. httplib stays out of
// this header.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace httplib {
class Client;
enum class Error;
}  // namespace httplib

namespace hiresync::http_client {

struct Timeouts {
  absl::Duration connect;
  absl::Duration read;
  absl::Duration write;
};

// Sets the timeouts and has httplib send paths as given: the clients percent-encode what
// they build, and next-page URLs are used as the API wrote them.
void ConfigureClient(httplib::Client& client, const Timeouts& timeouts);

// On https, verifies the server's certificate chain and that it names the URL's host,
// against `ca_bundle` (a PEM file) or, when empty, the system's trust store.
void VerifyServer(httplib::Client& client, const std::string& ca_bundle);

// Checks at start that `ca_bundle` is a readable PEM file with at least one certificate
// (empty: the system store, always fine).
absl::Status CheckCaBundle(const std::string& ca_bundle);

// For a call that failed on TLS (the certificate not trusted or not naming the host, the
// handshake, the bundle), what happened and what to do; nullopt for other failures.
// `api` names the server, e.g. "GoCo"; `url` is where the call went.
std::optional<std::string> TlsFailure(const httplib::Client& client, httplib::Error error,
                                      absl::string_view api, absl::string_view url,
                                      const std::string& ca_bundle);

}  // namespace hiresync::http_client
