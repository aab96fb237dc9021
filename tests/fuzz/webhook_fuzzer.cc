// The webhook endpoint's logic (WebhookHandler::Handle) with one configured connection.
//
// Input: when the last byte is ASCII (every JSON fixture), the whole input is the body,
// sent to the configured connection with a valid signature and no event id, so the
// Greenhouse parser behind the signature check is reached. Otherwise the last byte holds
// flags and the request's parts are taken from the front, each up to a '\n':
//   bit 0: signature: a line of the input instead of the valid one
//   bit 1: Greenhouse-Event-ID: a line of the input
//   bit 2: connection id: a line of the input instead of the configured one
// and the rest (without the flags byte) is the body.
//
// Checks: the answer is JSON with a known status, and what reaches the inbox reads
// back (the SQLite inbox stores the serialized HireEvent and parses it on every read).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "common/config/config.h"
#include "common/log/log.h"
#include "common/store/inbox.h"
#include "nlohmann/json.hpp"
#include "services/ingress/webhook_handler.h"

namespace {

using hiresync::ingress::WebhookHandler;
using hiresync::ingress::WebhookRequest;
using hiresync::store::EventState;
using hiresync::store::InsertResult;
using hiresync::store::StepRecord;
using hiresync::store::StoredEvent;

constexpr char kConnectionId[] = "demo";
constexpr char kSecret[] = "fuzz-webhook-secret";
constexpr size_t kMaxBodyBytes = 1 << 20;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "webhook fuzzer: %s\n", what.c_str());
  std::abort();
}

// Insert only, as the handler uses it, with the SQLite inbox's dedupe keys and a check
// that the stored event parses back.
class MemoryInbox : public hiresync::store::Inbox {
 public:
  void Clear() {
    keys_.clear();
    next_id_ = 1;
  }

  absl::StatusOr<InsertResult> Insert(const hiresync::v1::HireEvent& event) override {
    hiresync::v1::HireEvent read_back;
    if (!read_back.ParseFromString(event.SerializeAsString())) {
      Fail("the stored HireEvent does not parse back (a string field holds invalid UTF-8); "
           "delivery_id bytes: " + nlohmann::json(event.delivery_id()).dump(
               -1, ' ', true, nlohmann::json::error_handler_t::replace));
    }
    bool fresh_delivery = keys_.insert(event.connection_id() + "\n" + event.delivery_id()).second;
    bool fresh_body = keys_.insert(event.connection_id() + "\nsha:" + event.body_sha256()).second;
    if (!fresh_delivery || !fresh_body) return InsertResult{0, true};
    return InsertResult{next_id_++, false};
  }

  absl::StatusOr<std::vector<StoredEvent>> Claim(absl::Time, int, absl::Duration,
                                                 const std::string&,
                                                 const std::set<std::string>&) override {
    return Unused();
  }
  absl::Status Advance(int64_t, const hiresync::store::StepUpdate&, absl::Time) override {
    return Unused();
  }
  absl::Status ScheduleRetry(int64_t, absl::Time, const std::string&, const std::string&,
                             absl::Time) override {
    return Unused();
  }
  absl::Status Release(int64_t) override { return Unused(); }
  absl::Status ReleaseAllLeases() override { return Unused(); }
  absl::StatusOr<std::optional<StoredEvent>> Get(int64_t) override { return Unused(); }
  absl::StatusOr<std::vector<StepRecord>> History(int64_t) override { return Unused(); }
  absl::StatusOr<std::map<EventState, int64_t>> CountByState() override { return Unused(); }
  absl::StatusOr<std::map<std::string, absl::Time>> OldestPendingByConnection() override {
    return Unused();
  }

 private:
  static absl::Status Unused() { return absl::UnimplementedError("not used by the handler"); }

  std::set<std::string> keys_;
  int64_t next_id_ = 1;
};

std::shared_ptr<const hiresync::config::Connections> LoadConnections() {
  setenv("HIRESYNC_FUZZ_WEBHOOK_SECRET", kSecret, 1);
  setenv("HIRESYNC_FUZZ_GOCO_KEY", "fuzz-goco-key", 1);
  auto parsed = hiresync::config::Parse(R"({"connections": [{
      "id": "demo",
      "webhook_secret": {"env": "HIRESYNC_FUZZ_WEBHOOK_SECRET"},
      "goco": {"base_url": "http://127.0.0.1:1/v1/companies/fuzz",
               "api_key": {"env": "HIRESYNC_FUZZ_GOCO_KEY"}}}]})",
                                        "webhook fuzzer config");
  if (!parsed.ok()) Fail(parsed.status().ToString());
  return *parsed;
}

// The text up to the next '\n' (consumed with it), or all that is left.
std::string TakeLine(std::string_view* input) {
  size_t end = input->find('\n');
  std::string line(input->substr(0, end));
  input->remove_prefix(end == std::string_view::npos ? input->size() : end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  hiresync::log::Init("webhook-fuzzer", hiresync::log::Level::kError);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto connections = LoadConnections();
  static MemoryInbox* inbox = new MemoryInbox();
  static const WebhookHandler* handler = new WebhookHandler(
      [] { return connections; }, inbox, kMaxBodyBytes, [](int64_t) {});
  inbox->Clear();

  std::string_view input(reinterpret_cast<const char*>(data), size);
  WebhookRequest request;
  request.connection_id = kConnectionId;
  bool fuzzed_signature = false;
  if (!input.empty() && static_cast<unsigned char>(input.back()) >= 0x80) {
    unsigned flags = static_cast<unsigned char>(input.back());
    input.remove_suffix(1);
    if (flags & 1) {
      request.signature = TakeLine(&input);
      fuzzed_signature = true;
    }
    if (flags & 2) request.event_id = TakeLine(&input);
    if (flags & 4) request.connection_id = TakeLine(&input);
  }
  request.body = std::string(input);
  if (!fuzzed_signature) request.signature = WebhookHandler::Sign(kSecret, request.body);

  auto response = handler->Handle(request);
  static const std::set<int> kStatuses = {200, 400, 401, 404, 413, 503};
  if (!kStatuses.count(response.status)) {
    Fail("unexpected HTTP status " + std::to_string(response.status));
  }
  auto answer = nlohmann::json::parse(response.body, nullptr, false);
  if (!answer.is_object()) Fail("the answer is not a JSON object: " + response.body);
  return 0;
}
