// Greenhouse webhook bodies (common/greenhouse/webhook.h): ParseEnvelope, then
// ParseHireApplication and RenderValue on whatever payload it returns, whatever the
// action. Checks that error messages can go into a JSON answer and that the parsed
// Application survives a protobuf round trip (it travels over gRPC and into the inbox).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/greenhouse/webhook.h"

namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "greenhouse payload fuzzer: %s\n", what.c_str());
  std::abort();
}

// Throws (and so fails the fuzzer) when `text` is not valid UTF-8, as the webhook's
// JSON answer would when it carries the text.
void RequireJsonText(const std::string& text) { (void)nlohmann::json(text).dump(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto envelope = hiresync::greenhouse::ParseEnvelope(body);
  if (!envelope.ok()) {
    RequireJsonText(std::string(envelope.status().message()));
    return 0;
  }
  RequireJsonText(envelope->action);
  (void)hiresync::greenhouse::RenderValue(envelope->payload);
  auto application = hiresync::greenhouse::ParseHireApplication(envelope->payload);
  if (!application.ok()) {
    RequireJsonText(std::string(application.status().message()));
    return 0;
  }
  hiresync::v1::Application read_back;
  if (!read_back.ParseFromString(application->SerializeAsString())) {
    Fail("the parsed Application does not survive a protobuf round trip");
  }
  return 0;
}
