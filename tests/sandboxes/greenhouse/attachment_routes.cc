#include "tests/sandboxes/greenhouse/attachment_routes.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace hiresync::greenhouse_sandbox {
namespace {

constexpr char kNamePattern[] = "([A-Za-z0-9._-]+)";

std::string ContentTypeFor(const std::string& name) {
  static const std::map<std::string, std::string> kTypes = {
      {"pdf", "application/pdf"},
      {"doc", "application/msword"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"odt", "application/vnd.oasis.opendocument.text"},
      {"rtf", "application/rtf"},
      {"txt", "text/plain"},
      {"csv", "text/csv"},
      {"html", "text/html"},
      {"htm", "text/html"},
      {"json", "application/json"},
      {"xml", "application/xml"},
      {"zip", "application/zip"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
  };
  size_t dot = name.rfind('.');
  if (dot == std::string::npos) return "application/octet-stream";
  auto it = kTypes.find(absl::AsciiStrToLower(name.substr(dot + 1)));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

void ReplyS3Error(httplib::Response& res, int status, const std::string& code,
                  const std::string& message) {
  res.status = status;
  res.set_content(absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>", code,
                               "</Code><Message>", message, "</Message></Error>\n"),
                  "application/xml");
}

}  // namespace

AttachmentRoutes::AttachmentRoutes(std::string public_url, std::string url_key, Clock clock)
    : public_url_(std::move(public_url)), signer_(std::move(url_key)), clock_(std::move(clock)) {}

void AttachmentRoutes::Register(httplib::Server& server) {
  const std::string control = absl::StrCat("/_sandbox/attachments/", kNamePattern);
  server.Put(control, [this](const auto& req, auto& res) { HandlePut(req, res); });
  server.Post(control + "/url", [this](const auto& req, auto& res) { HandleSign(req, res); });
  server.Get("/_sandbox/attachments", [this](const auto& req, auto& res) { HandleList(req, res); });
  server.Get(absl::StrCat("/attachments/", kNamePattern),
             [this](const auto& req, auto& res) { HandleDownload(req, res); });
}

void AttachmentRoutes::HandlePut(const httplib::Request& req, httplib::Response& res) {
  AttachmentInfo info = store_.Put(req.matches[1], req.body);
  ReplyJson(res, 200,
            {{"name", info.name}, {"size_bytes", info.size_bytes}, {"sha256", info.sha256}});
}

void AttachmentRoutes::HandleSign(const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1];
  int64_t ttl_seconds = kDefaultUrlTtlSeconds;
  if (!absl::StripAsciiWhitespace(req.body).empty()) {
    nlohmann::json body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object()) {
      ReplyJsonError(res, 400,
                     "the body must be a JSON object like {\"ttl_seconds\": 3600}, or empty "
                     "for the 7-day default");
      return;
    }
    if (body.contains("ttl_seconds")) {
      if (!body["ttl_seconds"].is_number_integer()) {
        ReplyJsonError(res, 400,
                       "ttl_seconds must be an integer number of seconds (0 or negative "
                       "gives an already-expired link)");
        return;
      }
      ttl_seconds = body["ttl_seconds"].get<int64_t>();
    }
  }
  if (!store_.Contains(name)) {
    ReplyJsonError(res, 404,
                   absl::StrCat("no attachment named '", name,
                                "': upload it first with PUT /_sandbox/attachments/", name));
    return;
  }
  absl::Time now = clock_();
  ReplyJson(res, 200,
            {{"url", absl::StrCat(public_url_, "/attachments/", name, "?",
                                  signer_.PresignQuery(name, now, ttl_seconds))},
             {"expires_at", absl::FormatTime(absl::RFC3339_sec, now + absl::Seconds(ttl_seconds),
                                             absl::UTCTimeZone())}});
}

void AttachmentRoutes::HandleList(const httplib::Request&, httplib::Response& res) {
  nlohmann::json list = nlohmann::json::array();
  for (const AttachmentInfo& info : store_.List()) {
    list.push_back({{"name", info.name},
                    {"size_bytes", info.size_bytes},
                    {"sha256", info.sha256},
                    {"downloads", info.downloads}});
  }
  ReplyJson(res, 200, list);
}

void AttachmentRoutes::HandleDownload(const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1];
  if (req.has_header("Authorization")) {
    ReplyS3Error(res, 400, "InvalidArgument",
                 "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                 "Signature query string parameter or the Authorization header should be "
                 "specified");
    return;
  }
  if (!store_.Contains(name)) {
    ReplyS3Error(res, 404, "NoSuchKey", "The specified key does not exist.");
    return;
  }
  switch (signer_.Verify(name, req.get_param_value(kDateParam), req.get_param_value(kExpiresParam),
                         req.get_param_value(kSignatureParam), clock_())) {
    case UrlSigner::Verdict::kValid:
      break;
    case UrlSigner::Verdict::kMissing:
      ReplyS3Error(res, 403, "AccessDenied", "Access Denied");
      return;
    case UrlSigner::Verdict::kMalformed:
      ReplyS3Error(res, 403, "AuthorizationQueryParametersError",
                   "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\" "
                   "and X-Amz-Expires must be an integer");
      return;
    case UrlSigner::Verdict::kSignatureMismatch:
      ReplyS3Error(res, 403, "SignatureDoesNotMatch",
                   "The request signature we calculated does not match the signature you "
                   "provided.");
      return;
    case UrlSigner::Verdict::kExpired:
      ReplyS3Error(res, 403, "AccessDenied", "Request has expired");
      return;
  }
  std::shared_ptr<const std::string> bytes = store_.Download(name);
  if (bytes == nullptr) {  // removed by a reset since the check above
    ReplyS3Error(res, 404, "NoSuchKey", "The specified key does not exist.");
    return;
  }
  res.status = 200;
  res.set_content(*bytes, ContentTypeFor(name).c_str());
}

}  // namespace hiresync::greenhouse_sandbox
