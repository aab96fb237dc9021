// Base URLs of the HTTP APIs hiresync calls, and the query-string encoding they share.
#pragma once

#include <string>
#include <variant>

#include "absl/strings/string_view.h"

namespace hiresync::http_client {

struct Url {
  std::string origin;  // scheme://host[:port]
  std::string path;    // the rest, from the first '/' after the host (query included); may be empty
};

// Why a text is not an http(s) URL; each client words its own message from this.
enum class UrlProblem { kNoScheme, kNotHttp, kNoHost };

// Splits "http(s)://host[:port]/path" into origin and path, or says what is wrong with it.
// The path is returned as written (trailing slashes kept).
std::variant<Url, UrlProblem> SplitHttpUrl(absl::string_view url);

// Percent-encodes every byte but the unreserved characters A-Z a-z 0-9 - _ . ~ (RFC 3986).
std::string PercentEncode(absl::string_view text);

}  // namespace hiresync::http_client
