#include "services/ingress/webhook_handler.h"

#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/failpoint/failpoint.h"
#include "common/greenhouse/webhook.h"
#include "common/log/log.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"

namespace hiresync::ingress {
namespace {

WebhookResponse Error(int status, std::string outcome, const std::string& message) {
  nlohmann::json body = {{"error", {{"code", outcome}, {"message", message}}}};
  return WebhookResponse{status, body.dump(), std::move(outcome), 0};
}

WebhookResponse Ok(std::string outcome, nlohmann::json body, int64_t event_id = 0) {
  return WebhookResponse{200, body.dump(), std::move(outcome), event_id};
}

constexpr std::string_view kSignaturePrefix = "sha256 ";

// Printable ASCII, at most 200 characters.
bool UsableEventId(const std::string& id) {
  if (id.empty() || id.size() > 200) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

WebhookHandler::WebhookHandler(
    std::function<std::shared_ptr<const config::Connections>()> connections, store::Inbox* inbox,
    size_t max_body_bytes, StoredCallback on_stored)
    : connections_(std::move(connections)),
      inbox_(inbox),
      max_body_bytes_(max_body_bytes),
      on_stored_(std::move(on_stored)) {}

std::string WebhookHandler::Sign(const std::string& secret, const std::string& body) {
  return absl::StrCat(std::string(kSignaturePrefix), crypto::HmacSha256Hex(secret, body));
}

bool WebhookHandler::VerifySignature(const std::string& secret, const std::string& header,
                                     const std::string& body) {
  if (header.size() <= kSignaturePrefix.size() ||
      header.compare(0, kSignaturePrefix.size(), kSignaturePrefix) != 0) {
    return false;
  }
  std::string expected = crypto::HmacSha256Hex(secret, body);
  return crypto::ConstantTimeEquals(header.substr(kSignaturePrefix.size()), expected);
}

WebhookResponse WebhookHandler::Handle(const WebhookRequest& request) const {
  auto connections = connections_();
  const config::Connection* conn = connections->Find(request.connection_id);
  if (conn == nullptr || conn->disabled()) {
    return Error(404, "unknown_connection",
                 "no active hiresync connection has this id: check the webhook's Endpoint URL "
                 "in Greenhouse (Configure > Dev Center > Web Hooks) against the connection ids "
                 "in hiresync's configuration");
  }
  if (request.body.size() > max_body_bytes_) {
    return Error(413, "too_large",
                 absl::StrCat("the body is ", request.body.size(), " bytes; the limit is ",
                              max_body_bytes_, " (raise --max_body_bytes if this hire is real)"));
  }
  if (request.signature.empty()) {
    return Error(401, "bad_signature",
                 "the Signature header is missing: set the webhook's Secret key in Greenhouse to "
                 "the connection's webhook secret");
  }
  if (!VerifySignature(conn->webhook_secret, request.signature, request.body)) {
    return Error(401, "bad_signature",
                 "the Signature header does not match the body: the webhook's Secret key in "
                 "Greenhouse must equal this connection's webhook secret (header format "
                 "'sha256 <hex>' over the raw body)");
  }
  auto envelope = greenhouse::ParseEnvelope(request.body);
  if (!envelope.ok()) {
    return Error(400, "malformed", std::string(envelope.status().message()));
  }
  if (envelope->action == "ping") {
    return Ok("ping", {{"status", "ok"}, {"message", "hiresync is listening"}});
  }
  if (envelope->action != "hire_candidate") {
    return Ok("ignored", {{"status", "ignored"},
                          {"message", absl::StrCat("hiresync acts on hire_candidate only; '",
                                                   envelope->action, "' was not stored")}});
  }
  auto application = greenhouse::ParseHireApplication(envelope->payload);
  if (!application.ok()) {
    return Error(400, "malformed", std::string(application.status().message()));
  }

  hiresync::v1::HireEvent event;
  event.set_connection_id(conn->id());
  std::string body_sha = crypto::Sha256Hex(request.body);
  event.set_body_sha256(body_sha);
  // The event id header is not signed: use it only when it looks like an id.
  event.set_delivery_id(UsableEventId(request.event_id) ? request.event_id
                                                        : absl::StrCat("sha256:", body_sha));
  *event.mutable_received_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  *event.mutable_application() = std::move(*application);
  event.set_raw_payload(request.body);

  auto stored = inbox_->Insert(event);
  if (!stored.ok()) {
    log::Error("inbox write failed", {{"connection", conn->id()},
                                      {"error", std::string(stored.status().message())}});
    return Error(503, "store_error",
                 "hiresync could not store the hire; Greenhouse will retry this delivery");
  }
  failpoint::Hit("ingress.after_inbox_commit");
  if (stored->duplicate) {
    return Ok("duplicate", {{"status", "duplicate"},
                            {"message", "this delivery was already received; nothing stored"}});
  }
  log::Info("hire stored", {{"connection", conn->id()},
                            {"event_id", stored->id},
                            {"candidate_id", event.application().candidate().id()},
                            {"application_id", event.application().id()},
                            {"paused", conn->paused()}});
  if (on_stored_ && !conn->paused()) on_stored_(stored->id);
  return Ok("accepted",
            {{"status", "accepted"},
             {"event_id", stored->id},
             {"message", conn->paused() ? "stored; the connection is paused, so it syncs when resumed"
                                        : "stored; syncing to GoCo"}},
            stored->id);
}

}  // namespace hiresync::ingress
