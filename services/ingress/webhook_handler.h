// The webhook endpoint's logic, free of HTTP plumbing so it can be unit-tested and
// fuzzed: POST /v1/webhooks/greenhouse/{connection_id} -> an answer for Greenhouse.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "common/config/config.h"
#include "common/store/inbox.h"

namespace hiresync::ingress {

struct WebhookRequest {
  std::string connection_id;
  std::string signature;  // the Signature header, "" when absent
  std::string event_id;   // the Greenhouse-Event-ID header, "" when absent
  std::string body;       // raw bytes, exactly as received
};

struct WebhookResponse {
  int status = 200;
  std::string body;  // JSON
  // For metrics: accepted, duplicate, ping, ignored, unknown_connection, too_large,
  // bad_signature, malformed, store_error.
  std::string outcome;
  int64_t event_id = 0;
};

// Called with every stored event id (wakes the dispatcher).
using StoredCallback = std::function<void(int64_t)>;

class WebhookHandler {
 public:
  WebhookHandler(std::function<std::shared_ptr<const config::Connections>()> connections,
                 store::Inbox* inbox, size_t max_body_bytes, StoredCallback on_stored);

  WebhookResponse Handle(const WebhookRequest& request) const;
  std::shared_ptr<const config::Connections> connections() const { return connections_(); }

  // "sha256 <hex>" for the body; the header value Greenhouse would send.
  static std::string Sign(const std::string& secret, const std::string& body);
  // Checks a Signature header value against the body in constant time.
  static bool VerifySignature(const std::string& secret, const std::string& header,
                              const std::string& body);

 private:
  std::function<std::shared_ptr<const config::Connections>()> connections_;
  store::Inbox* inbox_;
  size_t max_body_bytes_;
  StoredCallback on_stored_;
};

}  // namespace hiresync::ingress
