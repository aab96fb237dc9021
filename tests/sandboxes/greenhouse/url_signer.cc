#include "tests/sandboxes/greenhouse/url_signer.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/sandboxes/greenhouse/signing.h"

namespace hiresync::greenhouse_sandbox {
namespace {

constexpr char kDateFormat[] = "%E4Y%m%dT%H%M%SZ";

}  // namespace

std::string UrlSigner::Sign(absl::string_view name, absl::string_view date,
                            absl::string_view expires) const {
  return HmacSha256Hex(key_, absl::StrCat(name, "\n", date, "\n", expires));
}

std::string UrlSigner::PresignQuery(absl::string_view name, absl::Time now,
                                    int64_t ttl_seconds) const {
  std::string date = absl::FormatTime(kDateFormat, now, absl::UTCTimeZone());
  std::string expires = absl::StrCat(ttl_seconds);
  return absl::StrCat(kDateParam, "=", date, "&", kExpiresParam, "=", expires, "&", kSignatureParam,
                      "=", Sign(name, date, expires));
}

UrlSigner::Verdict UrlSigner::Verify(absl::string_view name, absl::string_view date,
                                     absl::string_view expires, absl::string_view signature,
                                     absl::Time now) const {
  if (date.empty() || expires.empty() || signature.empty()) return Verdict::kMissing;
  absl::Time issued;
  int64_t ttl_seconds = 0;
  std::string error;
  if (!absl::ParseTime(kDateFormat, std::string(date), absl::UTCTimeZone(), &issued, &error) ||
      !absl::SimpleAtoi(expires, &ttl_seconds)) {
    return Verdict::kMalformed;
  }
  if (!SafeEqual(Sign(name, date, expires), signature)) return Verdict::kSignatureMismatch;
  if (now >= issued + absl::Seconds(ttl_seconds)) return Verdict::kExpired;
  return Verdict::kValid;
}

}  // namespace hiresync::greenhouse_sandbox
