// Reading Greenhouse webhook bodies. Defensive throughout: unknown keys are ignored,
// nulls and values of the wrong JSON type read as absent, ids may be numbers or
// numeric strings, and custom-field values may be of any JSON type.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "hiresync/v1/hire_event.pb.h"
#include "nlohmann/json.hpp"

namespace hiresync::greenhouse {

// The outer shape of every webhook: {"action": "...", "payload": {...}}.
struct Envelope {
  std::string action;
  nlohmann::json payload;
};

// InvalidArgument for malformed JSON (with the byte offset), a root that is not an
// object, a missing or non-string "action", or a missing or non-object "payload".
absl::StatusOr<Envelope> ParseEnvelope(std::string_view body);

// The application of a `hire_candidate` payload. InvalidArgument, naming the JSON
// path, when payload.application or payload.application.candidate is not an object.
absl::StatusOr<hiresync::v1::Application> ParseHireApplication(const nlohmann::json& payload);

// One custom field from its map key and its {name, type, value} object.
hiresync::v1::CustomField ParseCustomField(const std::string& key, const nlohmann::json& field);

// A custom-field value as text: strings as they are, numbers in their shortest form
// (80000, not 80000.0), booleans "true"/"false", arrays joined with ", ", currency
// "<amount> <unit>", ranges "<min_value>-<max_value> <unit>", users by name.
// Empty for null, [] and "".
std::string RenderValue(const nlohmann::json& value);

}  // namespace hiresync::greenhouse
