#include "common/log/log.h"

#include <array>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace hiresync::log {
namespace {

std::mutex g_mu;
std::string g_service = "hiresync";
std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};

constexpr std::array<std::string_view, 4> kLevelNames = {"debug", "info", "warn", "error"};

constexpr std::array<std::string_view, 11> kSecretKeyParts = {
    "secret", "token", "password", "api_key", "apikey", "authorization",
    "signature", "credential", "cookie", "private_key", "client_id"};
constexpr std::array<std::string_view, 6> kPersonalKeys = {
    "email", "phone", "first_name", "last_name", "name", "address"};

bool IsSensitiveKey(std::string_view key) {
  std::string lower = absl::AsciiStrToLower(std::string(key));
  for (auto part : kSecretKeyParts) {
    if (lower.find(part) != std::string::npos) return true;
  }
  for (auto part : kPersonalKeys) {
    if (lower == part || absl::EndsWith(lower, std::string("_") + std::string(part)) ||
        absl::StartsWith(lower, std::string(part) + "_")) {
      return true;
    }
  }
  return false;
}

nlohmann::json Redact(const nlohmann::json& value) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      out[it.key()] = IsSensitiveKey(it.key()) ? nlohmann::json("[redacted]") : Redact(it.value());
    }
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : value) out.push_back(Redact(v));
    return out;
  }
  if (value.is_string()) return RedactText(value.get<std::string>());
  return value;
}

}  // namespace

void Init(std::string service, Level min_level) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_service = std::move(service);
  g_min_level = static_cast<int>(min_level);
}

bool ParseLevel(std::string_view text, Level* level) {
  for (size_t i = 0; i < kLevelNames.size(); ++i) {
    if (text == kLevelNames[i]) {
      *level = static_cast<Level>(i);
      return true;
    }
  }
  return false;
}

std::string RedactText(std::string_view text) {
  static const std::regex kEmail(R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})");
  // Seven or more digits, optionally separated by spaces, dots, dashes or parentheses.
  static const std::regex kPhone(R"(\+?\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]?\d{4})");
  std::string s(text);
  if (s.find('@') != std::string::npos) s = std::regex_replace(s, kEmail, "[email]");
  int digits = 0;
  for (char c : s) digits += std::isdigit(static_cast<unsigned char>(c)) ? 1 : 0;
  if (digits >= 10) s = std::regex_replace(s, kPhone, "[phone]");
  return s;
}

std::string Format(Level level, std::string_view msg, const nlohmann::json& fields, bool with_ts) {
  nlohmann::json line = nlohmann::json::object();
  if (with_ts) line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  line["level"] = kLevelNames[static_cast<int>(level)];
  {
    std::lock_guard<std::mutex> lock(g_mu);
    line["service"] = g_service;
  }
  line["msg"] = RedactText(msg);
  if (fields.is_object()) {
    nlohmann::json redacted = Redact(fields);
    for (auto it = redacted.begin(); it != redacted.end(); ++it) {
      if (!line.contains(it.key())) line[it.key()] = it.value();
    }
  }
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Write(Level level, std::string_view msg, const nlohmann::json& fields) {
  if (static_cast<int>(level) < g_min_level.load()) return;
  std::string out = Format(level, msg, fields, true);
  out.push_back('\n');
  std::lock_guard<std::mutex> lock(g_mu);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

}  // namespace hiresync::log
