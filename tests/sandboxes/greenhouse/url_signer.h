// Presigned attachment URLs in the spirit of S3: the query carries when the link was
// issued, how long it lives and an HMAC over both and the object name.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hiresync::greenhouse_sandbox {

inline constexpr char kDateParam[] = "X-Amz-Date";
inline constexpr char kExpiresParam[] = "X-Amz-Expires";
inline constexpr char kSignatureParam[] = "X-Amz-Signature";

class UrlSigner {
 public:
  enum class Verdict { kValid, kMissing, kMalformed, kSignatureMismatch, kExpired };

  explicit UrlSigner(std::string key) : key_(std::move(key)) {}

  // "X-Amz-Date=...&X-Amz-Expires=...&X-Amz-Signature=..." for `name`, valid from `now`
  // for `ttl_seconds` (zero or negative gives a link that is already expired).
  std::string PresignQuery(absl::string_view name, absl::Time now, int64_t ttl_seconds) const;

  // Checks the three query values a request carried (empty when absent).
  Verdict Verify(absl::string_view name, absl::string_view date, absl::string_view expires,
                 absl::string_view signature, absl::Time now) const;

 private:
  std::string Sign(absl::string_view name, absl::string_view date, absl::string_view expires) const;

  std::string key_;
};

}  // namespace hiresync::greenhouse_sandbox
