#include "tests/sandboxes/greenhouse/sender.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/sandboxes/greenhouse/signing.h"

namespace hiresync::greenhouse_sandbox {
namespace {

struct SplitUrl {
  std::string scheme_host_port;
  std::string path;
};

absl::StatusOr<SplitUrl> Split(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos ||
      !(absl::StartsWith(url, "http://") || absl::StartsWith(url, "https://"))) {
    return absl::InvalidArgumentError(
        absl::StrCat("--url must start with http:// or https:// (got '", url,
                     "'), e.g. http://127.0.0.1:8080/v1/webhooks/greenhouse/demo"));
  }
  size_t path_start = url.find('/', scheme_end + 3);
  if (path_start == scheme_end + 3) {
    return absl::InvalidArgumentError(absl::StrCat("--url has no host: '", url, "'"));
  }
  if (path_start == std::string::npos) return SplitUrl{url, "/"};
  return SplitUrl{url.substr(0, path_start), url.substr(path_start)};
}

std::string Seconds(absl::Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%gs", absl::ToDoubleSeconds(d));
  return buf;
}

std::string Snippet(const std::string& body) {
  constexpr size_t kMax = 200;
  std::string s = absl::StrReplaceAll(body.substr(0, kMax), {{"\n", " "}, {"\r", " "}});
  if (body.size() > kMax) s += "...";
  return s;
}

}  // namespace

std::string WebhookSignature(absl::string_view secret, absl::string_view body) {
  return absl::StrCat("sha256 ", HmacSha256Hex(secret, body));
}

const std::vector<absl::Duration>& RetryDelays() {
  static const auto* const kDelays =
      new std::vector<absl::Duration>{absl::Minutes(1), absl::Minutes(15), absl::Hours(1),
                                      absl::Hours(2),   absl::Hours(4),    absl::Hours(8)};
  return *kDelays;
}

WebhookSender::WebhookSender(SenderOptions options, std::ostream& progress, Sleeper sleep)
    : options_(std::move(options)), progress_(progress), sleep_(std::move(sleep)) {}

WebhookSender::Response WebhookSender::Post(const std::string& scheme_host_port,
                                            const std::string& path, const std::string& event_id,
                                            absl::string_view body) {
  httplib::Client client(scheme_host_port);
  const auto secs = absl::ToInt64Seconds(options_.timeout);
  client.set_connection_timeout(secs, 0);
  client.set_read_timeout(secs, 0);
  client.set_write_timeout(secs, 0);
  httplib::Headers headers = {
      {"Signature", WebhookSignature(options_.secret, body)},
      {"Greenhouse-Event-ID", event_id},
      {"User-Agent", kWebhookUserAgent},
  };
  auto res = client.Post(path.c_str(), headers, body.data(), body.size(), "application/json");
  Response out;
  if (!res) {
    out.error = httplib::to_string(res.error());
    return out;
  }
  out.status = res->status;
  out.reason = res->reason;
  out.body = res->body;
  return out;
}

absl::StatusOr<SendResult> WebhookSender::Send(absl::string_view body) {
  absl::StatusOr<SplitUrl> url = Split(options_.url);
  if (!url.ok()) return url.status();
  if (options_.max_attempts < 1 || options_.max_attempts > kGreenhouseMaxAttempts) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max-attempts must be between 1 and ", kGreenhouseMaxAttempts,
                     " (Greenhouse makes at most 7), got ", options_.max_attempts));
  }
  if (!std::isfinite(options_.retry_scale) || options_.retry_scale < 0) {
    return absl::InvalidArgumentError(
        "--retry-scale must be a number >= 0, e.g. 1 for Greenhouse's real delays or 0.001 in "
        "tests");
  }

  SendResult result;
  if (options_.ping) {
    nlohmann::json ping = {{"action", "ping"},
                           {"payload",
                            {{"web_hook_id", 1},
                             {"endpoint_url", options_.url},
                             {"event", "Candidate has been hired"},
                             {"active", true}}}};
    Response r = Post(url->scheme_host_port, url->path, RandomUuid(), ping.dump());
    result.status = r.status;
    result.body = r.body;
    if (r.status != 200) {
      progress_ << "ping: "
                << (r.status == 0 ? absl::StrCat("network error (", r.error, ")")
                                  : absl::StrCat(r.status, " ", r.reason, " ", Snippet(r.body)))
                << "; Greenhouse would save this webhook disabled: make the endpoint answer "
                   "200 to a signed ping, then send again\n";
      result.outcome = SendResult::Outcome::kPingRejected;
      return result;
    }
    progress_ << "ping: 200 " << r.reason << "\n";
  }

  const std::string event_id = options_.event_id.empty() ? RandomUuid() : options_.event_id;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    Response r = Post(url->scheme_host_port, url->path, event_id, body);
    result.attempts = attempt;
    result.status = r.status;
    result.body = r.body;
    std::string what = r.status == 0 ? absl::StrCat("network error (", r.error, ")")
                                     : absl::StrCat(r.status, " ", r.reason);
    if (r.status == 200) {
      progress_ << "attempt " << attempt << ": " << what << " (event " << event_id << ")\n";
      result.outcome = SendResult::Outcome::kDelivered;
      return result;
    }
    if (r.status != 0 && !r.body.empty()) what += absl::StrCat(" ", Snippet(r.body));
    if (attempt == options_.max_attempts) {
      progress_ << "attempt " << attempt << ": " << what << "; giving up after " << attempt
                << " attempts (event " << event_id
                << "); Greenhouse would now only email the webhook's error recipient\n";
      break;
    }
    absl::Duration delay = RetryDelays()[attempt - 1] * options_.retry_scale;
    progress_ << "attempt " << attempt << ": " << what
              << " (only 200 counts as delivered); retrying in " << Seconds(delay) << "\n";
    progress_.flush();
    sleep_(delay);
  }
  result.outcome = SendResult::Outcome::kGaveUp;
  return result;
}

}  // namespace hiresync::greenhouse_sandbox
