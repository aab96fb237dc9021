// JSON-lines logging on stdout: one object per line with ts, level, service, msg and fields.
//
// Personal data and secrets never reach the output: a field whose key names a secret
// (secret, token, password, api_key, authorization, signature, ...) is replaced by
// "[redacted]"; a field whose key names personal data (email, phone, first_name,
// last_name, name) is replaced by "[redacted]"; and email addresses and phone-number-like
// runs inside any string value are masked.
#pragma once

#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

namespace hiresync::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Sets the "service" field of every line and the minimum level.
void Init(std::string service, Level min_level = Level::kInfo);

// Parses "debug|info|warn|error"; false on anything else.
bool ParseLevel(std::string_view text, Level* level);

// `fields` must be a JSON object (or null).
void Write(Level level, std::string_view msg, const nlohmann::json& fields = nullptr);
inline void Debug(std::string_view msg, const nlohmann::json& fields = nullptr) {
  Write(Level::kDebug, msg, fields);
}
inline void Info(std::string_view msg, const nlohmann::json& fields = nullptr) {
  Write(Level::kInfo, msg, fields);
}
inline void Warn(std::string_view msg, const nlohmann::json& fields = nullptr) {
  Write(Level::kWarn, msg, fields);
}
inline void Error(std::string_view msg, const nlohmann::json& fields = nullptr) {
  Write(Level::kError, msg, fields);
}

// The line that would be written (without the timestamp when `with_ts` is false); for tests.
std::string Format(Level level, std::string_view msg, const nlohmann::json& fields, bool with_ts);

// Masks email addresses and phone-number-like digit runs in free text.
std::string RedactText(std::string_view text);

}  // namespace hiresync::log
