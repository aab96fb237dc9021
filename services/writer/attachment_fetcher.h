// Downloads a Greenhouse attachment from its signed URL: a plain GET that sends no
// credentials, follows at most a few redirects and stops past a size cap.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace hiresync::writer {

// Errors: FAILED_PRECONDITION for an expired or refused link (403), NOT_FOUND (404),
// OUT_OF_RANGE for a file over the cap; UNAVAILABLE for network trouble and 5xx
// (transient: worth retrying). INVALID_ARGUMENT for a URL that cannot be fetched.
class AttachmentSource {
 public:
  virtual ~AttachmentSource() = default;
  virtual absl::StatusOr<std::string> Fetch(const std::string& url) = 0;
};

struct AttachmentFetcherOptions {
  int64_t max_bytes = int64_t{25} * 1024 * 1024;  // GoCo's per-file limit
  int max_redirects = 3;
  int connect_timeout_seconds = 10;
  int read_timeout_seconds = 60;
  // PEM file of the CAs that may sign the attachment server's certificate; empty: the
  // system's trust store.
  std::string ca_bundle;
};

class AttachmentFetcher : public AttachmentSource {
 public:
  explicit AttachmentFetcher(AttachmentFetcherOptions options = {}) : options_(options) {}
  absl::StatusOr<std::string> Fetch(const std::string& url) override;

 private:
  AttachmentFetcherOptions options_;
};

}  // namespace hiresync::writer
