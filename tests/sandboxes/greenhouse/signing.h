// Hashing, HMAC and random ids shared by the sandbox server and the webhook sender.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace hiresync::greenhouse_sandbox {

// Lowercase hex HMAC-SHA256 of `data` keyed with `key`.
std::string HmacSha256Hex(absl::string_view key, absl::string_view data);

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(absl::string_view data);

// `bytes` cryptographically random bytes.
std::string RandomBytes(size_t bytes);

// A random version-4 UUID, e.g. "0f8fad5b-d9cb-469f-a165-70867728950e".
std::string RandomUuid();

// Constant-time comparison, for signatures.
bool SafeEqual(absl::string_view a, absl::string_view b);

}  // namespace hiresync::greenhouse_sandbox
