#include "services/writer/attachment_fetcher.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/http_client/client_setup.h"
#include "httplib.h"

namespace hiresync::writer {
namespace {

struct SplitUrl {
  std::string scheme_host_port;
  std::string path_and_query;
};

bool Split(const std::string& url, SplitUrl* out) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return false;
  std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return false;
  size_t path_start = url.find_first_of("/?", scheme_end + 3);
  out->scheme_host_port = url.substr(0, path_start);
  if (out->scheme_host_port.size() <= scheme_end + 3) return false;
  out->path_and_query = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (out->path_and_query[0] == '?') out->path_and_query.insert(0, "/");
  return true;
}

}  // namespace

absl::StatusOr<std::string> AttachmentFetcher::Fetch(const std::string& url) {
  std::string current = url;
  for (int hop = 0; hop <= options_.max_redirects; ++hop) {
    SplitUrl split;
    if (!Split(current, &split)) {
      return absl::InvalidArgumentError(
          "the attachment URL is not an http(s) URL; re-send the hire from Greenhouse");
    }
    httplib::Client client(split.scheme_host_port);
    client.set_connection_timeout(options_.connect_timeout_seconds);
    client.set_read_timeout(options_.read_timeout_seconds);
    client.set_follow_location(false);
    client.set_url_encode(false);  // signed URLs must reach the server byte for byte
    http_client::VerifyServer(client, options_.ca_bundle);

    std::string body;
    bool too_large = false;
    int status = 0;
    httplib::Result result = client.Get(
        split.path_and_query, httplib::Headers{},
        [&](const httplib::Response& response) {
          status = response.status;
          int64_t length = 0;
          if (response.status == 200 &&
              absl::SimpleAtoi(response.get_header_value("Content-Length"), &length) &&
              length > options_.max_bytes) {
            too_large = true;
            return false;
          }
          return true;
        },
        [&](const char* data, size_t size) {
          if (status != 200) return true;
          if (static_cast<int64_t>(body.size() + size) > options_.max_bytes) {
            too_large = true;
            return false;
          }
          body.append(data, size);
          return true;
        });
    if (too_large) {
      return absl::OutOfRangeError(
          absl::StrCat("the file is larger than ", options_.max_bytes / (1024 * 1024),
                       " MiB, GoCo's limit per file; upload a smaller copy in GoCo by hand"));
    }
    if (!result) {
      if (auto tls = http_client::TlsFailure(client, result.error(), "the attachment server",
                                             split.scheme_host_port, options_.ca_bundle)) {
        return absl::UnavailableError(absl::StrCat(*tls, "; it will be retried"));
      }
      return absl::UnavailableError(absl::StrCat("the attachment could not be downloaded (",
                                                 httplib::to_string(result.error()),
                                                 "); it will be retried"));
    }
    const httplib::Response& response = *result;
    if (response.status >= 300 && response.status < 400 && response.status != 304) {
      std::string location = response.get_header_value("Location");
      if (location.empty()) {
        return absl::UnavailableError("the attachment server redirected without a Location");
      }
      if (location[0] == '/') location = split.scheme_host_port + location;
      current = location;
      continue;
    }
    if (response.status == 200) return body;
    if (response.status == 403) {
      return absl::FailedPreconditionError(
          "the attachment link has expired; Greenhouse links last 7 days — re-send the hire to "
          "get fresh links");
    }
    if (response.status == 404 || response.status == 410) {
      return absl::NotFoundError(
          "the attachment no longer exists in Greenhouse (404); add the document in GoCo by hand "
          "if it is still needed");
    }
    if (response.status >= 500 || response.status == 429) {
      return absl::UnavailableError(
          absl::StrCat("the attachment server answered ", response.status, "; it will be retried"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat("the attachment server answered ", response.status,
                     "; re-send the hire from Greenhouse, or add the document in GoCo by hand"));
  }
  return absl::FailedPreconditionError(absl::StrCat("the attachment link redirected more than ",
                                                    options_.max_redirects,
                                                    " times; add the document in GoCo by hand"));
}

}  // namespace hiresync::writer
