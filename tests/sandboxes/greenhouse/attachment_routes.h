// Attachment files at expiring presigned URLs (what Greenhouse's S3 links look like to a
// client), plus the /_sandbox/attachments control endpoints that upload and sign them.
#pragma once

#include <functional>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/sandboxes/greenhouse/attachment_store.h"
#include "tests/sandboxes/greenhouse/route_group.h"
#include "tests/sandboxes/greenhouse/url_signer.h"

namespace hiresync::greenhouse_sandbox {

inline constexpr int64_t kDefaultUrlTtlSeconds = 7 * 24 * 3600;

class AttachmentRoutes : public RouteGroup {
 public:
  using Clock = std::function<absl::Time()>;

  // `public_url` prefixes the URLs handed out (no trailing slash); `url_key` signs them.
  AttachmentRoutes(std::string public_url, std::string url_key, Clock clock = absl::Now);

  void Register(httplib::Server& server) override;
  void Reset() override { store_.Clear(); }

 private:
  void HandlePut(const httplib::Request& req, httplib::Response& res);
  void HandleSign(const httplib::Request& req, httplib::Response& res);
  void HandleList(const httplib::Request& req, httplib::Response& res);
  void HandleDownload(const httplib::Request& req, httplib::Response& res);

  std::string public_url_;
  UrlSigner signer_;
  Clock clock_;
  AttachmentStore store_;
};

}  // namespace hiresync::greenhouse_sandbox
