// Hashes, HMAC and constant-time comparison (OpenSSL).
#pragma once

#include <string>
#include <string_view>

namespace hiresync::crypto {

// Lowercase hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);

// Lowercase hex of HMAC-SHA256(key, data).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// Compares in time that depends only on the lengths, not on where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// A random lowercase hex string of 2*bytes characters (CSPRNG).
std::string RandomHex(int bytes);

}  // namespace hiresync::crypto
