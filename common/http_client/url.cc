#include "common/http_client/url.h"

#include "absl/strings/ascii.h"

namespace hiresync::http_client {

std::variant<Url, UrlProblem> SplitHttpUrl(absl::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos) return UrlProblem::kNoScheme;
  absl::string_view scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return UrlProblem::kNotHttp;
  size_t host_start = scheme_end + 3;
  size_t path_start = url.find('/', host_start);
  Url split;
  split.origin = std::string(url.substr(0, path_start));
  if (path_start != absl::string_view::npos) split.path = std::string(url.substr(path_start));
  if (split.origin.size() <= host_start) return UrlProblem::kNoHost;
  return split;
}

std::string PercentEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace hiresync::http_client
