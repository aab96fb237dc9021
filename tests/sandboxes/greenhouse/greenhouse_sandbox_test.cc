// Runs the real greenhouse-sandbox binary: attachment URLs over HTTP, and `send` against
// a recording webhook receiver inside the test.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/http/server_defaults.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/sandboxes/greenhouse/sender.h"
#include "tests/sandboxes/greenhouse/signing.h"
#include "tests/sandboxes/greenhouse/url_signer.h"
#include "tests/support/process.h"

namespace hiresync::greenhouse_sandbox {
namespace {

using ::hiresync::testing::BinDir;
using ::hiresync::testing::FreePort;
using ::hiresync::testing::Process;
using ::hiresync::testing::TempDir;
using ::hiresync::testing::WaitForHttp;
using ::hiresync::testing::WriteFile;

std::string Binary() { return BinDir() + "/greenhouse-sandbox"; }

std::string Hex(const unsigned char* data, unsigned int length) {
  std::string out;
  char buf[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", data[i]);
    out += buf;
  }
  return out;
}

// Computed here with OpenSSL directly, independently of signing.cc.
std::string IndependentHmac(const std::string& key, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
  return Hex(digest, length);
}

std::string IndependentSha256(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return Hex(digest, length);
}

// ---------------------------------------------------------------- unit tests

TEST(WebhookSignatureTest, MatchesOpensslCliVectors) {
  // Vectors computed with the openssl CLI (one command per line):
  // clang-format off
  // printf '%s' '{"action":"ping","payload":{"note":"\u003cb\u003e"}}' | openssl dgst -sha256 -hmac 'whsec-sandbox'
  // clang-format on
  EXPECT_EQ(
      WebhookSignature("whsec-sandbox", R"({"action":"ping","payload":{"note":"\u003cb\u003e"}})"),
      "sha256 4436e6328f65bb311a504af648b000243cbe811d402a95dd70ccfda84f671488");
  // printf '%s' 'The quick brown fox jumps over the lazy dog' | openssl dgst -sha256 -hmac 'key'
  EXPECT_EQ(HmacSha256Hex("key", "The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

std::map<std::string, std::string> QueryParams(const std::string& query) {
  std::map<std::string, std::string> out;
  for (absl::string_view pair : absl::StrSplit(query, '&')) {
    std::pair<std::string, std::string> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    out[kv.first] = kv.second;
  }
  return out;
}

TEST(UrlSignerTest, ValidUntilExpiryAndBoundToNameAndTimes) {
  UrlSigner signer("url-key");
  const absl::Time issued = absl::FromUnixSeconds(1700000000);
  auto q = QueryParams(signer.PresignQuery("resume.pdf", issued, 60));
  const auto& date = q[kDateParam];
  const auto& expires = q[kExpiresParam];
  const auto& sig = q[kSignatureParam];
  EXPECT_EQ(date, "20231114T221320Z");
  EXPECT_EQ(expires, "60");
  using V = UrlSigner::Verdict;
  EXPECT_EQ(signer.Verify("resume.pdf", date, expires, sig, issued + absl::Seconds(59)), V::kValid);
  EXPECT_EQ(signer.Verify("resume.pdf", date, expires, sig, issued + absl::Seconds(60)),
            V::kExpired);
  EXPECT_EQ(signer.Verify("other.pdf", date, expires, sig, issued), V::kSignatureMismatch);
  EXPECT_EQ(signer.Verify("resume.pdf", date, "6000", sig, issued), V::kSignatureMismatch);
  EXPECT_EQ(signer.Verify("resume.pdf", "20231114T221321Z", expires, sig, issued),
            V::kSignatureMismatch);
  EXPECT_EQ(signer.Verify("resume.pdf", date, "soon", sig, issued), V::kMalformed);
  EXPECT_EQ(signer.Verify("resume.pdf", date, expires, "", issued), V::kMissing);
  EXPECT_EQ(UrlSigner("another-key").Verify("resume.pdf", date, expires, sig, issued),
            V::kSignatureMismatch);
}

// A webhook receiver inside the test: answers the scripted statuses in order (the last
// one repeats) and records every request.
class RecordingReceiver {
 public:
  struct Request {
    std::string body;
    httplib::Headers headers;
    std::string Header(const std::string& name) const {
      auto it = headers.find(name);
      return it == headers.end() ? "" : it->second;
    }
  };

  explicit RecordingReceiver(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      size_t i = std::min(requests_.size(), statuses_.size() - 1);
      requests_.push_back({req.body, req.headers});
      res.status = statuses_[i];
      if (res.status != 204) res.set_content(absl::StrCat("answer ", i + 1), "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = hiresync::http::ListenInBackground(server_);
  }
  ~RecordingReceiver() {
    server_.stop();
    thread_.join();
  }

  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_, "/hook"); }
  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::vector<int> statuses_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Request> requests_;
};

TEST(WebhookSenderTest, WaitsGreenhouseDelaysScaledThenGivesUp) {
  RecordingReceiver receiver({503});
  std::vector<absl::Duration> waits;
  std::ostringstream progress;
  SenderOptions options;
  options.url = receiver.url();
  options.secret = "s";
  options.retry_scale = 0.5;
  WebhookSender sender(options, progress, [&](absl::Duration d) { waits.push_back(d); });
  auto result = sender.Send("{}");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, SendResult::Outcome::kGaveUp);
  EXPECT_EQ(result->attempts, 7);
  EXPECT_EQ(receiver.requests().size(), 7u);
  EXPECT_EQ(waits,
            (std::vector<absl::Duration>{absl::Seconds(30), absl::Seconds(450), absl::Minutes(30),
                                         absl::Hours(1), absl::Hours(2), absl::Hours(4)}));
  EXPECT_TRUE(absl::StrContains(progress.str(), "attempt 1: 503")) << progress.str();
  EXPECT_TRUE(absl::StrContains(progress.str(), "giving up after 7 attempts")) << progress.str();
}

TEST(WebhookSenderTest, RejectsBadOptions) {
  std::ostringstream progress;
  SenderOptions options;
  options.secret = "s";
  options.url = "127.0.0.1:1/hook";
  EXPECT_FALSE(WebhookSender(options, progress, [](absl::Duration) {}).Send("{}").ok());
  options.url = "http://127.0.0.1:1/hook";
  options.max_attempts = 8;
  EXPECT_FALSE(WebhookSender(options, progress, [](absl::Duration) {}).Send("{}").ok());
}

// ------------------------------------------------------- `serve` end to end

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = FreePort();
    auto process = Process::Start(Binary(), {"serve", "--port", std::to_string(port_)}, {},
                                  dir_.File("sandbox.log"));
    ASSERT_TRUE(process.ok()) << process.status();
    process_ = std::move(*process);
    ASSERT_TRUE(WaitForHttp(port_, "/_sandbox/healthz")) << process_->Log();
  }

  httplib::Client Client() {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(5, 0);
    return client;
  }

  nlohmann::json Upload(const std::string& name, const std::string& bytes) {
    auto res =
        Client().Put(("/_sandbox/attachments/" + name).c_str(), bytes, "application/octet-stream");
    EXPECT_TRUE(res && res->status == 200);
    return res ? nlohmann::json::parse(res->body) : nlohmann::json();
  }

  // The signed URL's path and query, after checking it points at this sandbox.
  std::string SignedPath(const std::string& name, const std::string& body = "") {
    auto res =
        Client().Post(("/_sandbox/attachments/" + name + "/url").c_str(), body, "application/json");
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no response");
    if (!res) return "";
    std::string url = nlohmann::json::parse(res->body).at("url");
    const std::string prefix = absl::StrCat("http://127.0.0.1:", port_);
    EXPECT_TRUE(absl::StartsWith(url, prefix + "/attachments/" + name + "?")) << url;
    return url.substr(prefix.size());
  }

  nlohmann::json Listing() {
    auto res = Client().Get("/_sandbox/attachments");
    EXPECT_TRUE(res && res->status == 200);
    return res ? nlohmann::json::parse(res->body) : nlohmann::json();
  }

  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
};

TEST_F(ServeTest, SignedUrlServesTheUploadedBytes) {
  const std::string bytes = std::string("%PDF-1.4\0\xff\xfe binary", 18);
  nlohmann::json put = Upload("resume.pdf", bytes);
  EXPECT_EQ(put.at("name"), "resume.pdf");
  EXPECT_EQ(put.at("size_bytes"), bytes.size());
  EXPECT_EQ(put.at("sha256"), IndependentSha256(bytes));

  std::string path = SignedPath("resume.pdf");
  EXPECT_TRUE(absl::StrContains(path, "X-Amz-Expires=604800")) << path;
  auto res = Client().Get(path.c_str());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, bytes);
  EXPECT_EQ(IndependentSha256(res->body), put.at("sha256"));
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/pdf");

  Upload("notes.bin", "x");
  auto other = Client().Get(SignedPath("notes.bin").c_str());
  ASSERT_TRUE(other);
  EXPECT_EQ(other->get_header_value("Content-Type"), "application/octet-stream");

  nlohmann::json listing = Listing();
  ASSERT_EQ(listing.size(), 2u) << listing;
  EXPECT_EQ(listing[1].at("name"), "resume.pdf");
  EXPECT_EQ(listing[1].at("downloads"), 1);
  EXPECT_EQ(listing[1].at("sha256"), IndependentSha256(bytes));
}

TEST_F(ServeTest, TamperedOrMissingSignatureIs403) {
  Upload("resume.pdf", "secret resume");
  std::string path = SignedPath("resume.pdf");

  std::string tampered = path;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  auto res = Client().Get(tampered.c_str());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_TRUE(absl::StrContains(res->body, "<Code>SignatureDoesNotMatch</Code>")) << res->body;

  std::string extended =
      absl::StrReplaceAll(path, {{"X-Amz-Expires=604800", "X-Amz-Expires=999999999"}});
  ASSERT_NE(extended, path);
  res = Client().Get(extended.c_str());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_TRUE(absl::StrContains(res->body, "SignatureDoesNotMatch")) << res->body;

  res = Client().Get("/attachments/resume.pdf");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_TRUE(absl::StrContains(res->body, "<Code>AccessDenied</Code>")) << res->body;

  EXPECT_EQ(Listing()[0].at("downloads"), 0);
}

TEST_F(ServeTest, ExpiredLinkIs403) {
  Upload("offer.pdf", "offer");
  for (const char* ttl : {R"({"ttl_seconds":0})", R"({"ttl_seconds":-1})"}) {
    auto res = Client().Get(SignedPath("offer.pdf", ttl).c_str());
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << ttl;
    EXPECT_TRUE(absl::StrContains(
        res->body, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message>"))
        << res->body;
  }
  auto fresh = Client().Get(SignedPath("offer.pdf", R"({"ttl_seconds":3600})").c_str());
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, 200);
}

TEST_F(ServeTest, AuthorizationHeaderIs400) {
  Upload("resume.pdf", "resume");
  auto res =
      Client().Get(SignedPath("resume.pdf").c_str(), {{"Authorization", "Basic aGFydmVzdDo="}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_TRUE(absl::StrContains(res->body, "<Code>InvalidArgument</Code>")) << res->body;
  EXPECT_EQ(Listing()[0].at("downloads"), 0);
}

TEST_F(ServeTest, UnknownNameIs404AndResetForgetsFiles) {
  auto res = Client().Get("/attachments/missing.pdf");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_TRUE(absl::StrContains(res->body, "NoSuchKey")) << res->body;

  Upload("resume.pdf", "resume");
  std::string path = SignedPath("resume.pdf");
  auto reset = Client().Post("/_sandbox/reset", "", "application/json");
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->status, 200);
  res = Client().Get(path.c_str());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_TRUE(Listing().empty());
}

TEST_F(ServeTest, LogsOneJsonLinePerRequestWithoutQueryString) {
  Upload("resume.pdf", "resume");
  std::string path = SignedPath("resume.pdf");
  ASSERT_TRUE(Client().Get(path.c_str()));
  process_->Signal(SIGTERM);
  EXPECT_EQ(process_->Wait(), 0) << process_->Log();

  std::string log = process_->Log();
  EXPECT_FALSE(absl::StrContains(log, "X-Amz-Signature")) << log;
  int download_lines = 0;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    if (!absl::StartsWith(line, "{")) continue;
    nlohmann::json entry = nlohmann::json::parse(line);
    if (entry.at("path") == "/attachments/resume.pdf") {
      ++download_lines;
      EXPECT_EQ(entry.at("method"), "GET");
      EXPECT_EQ(entry.at("status"), 200);
    }
  }
  EXPECT_EQ(download_lines, 1) << log;
}

TEST_F(ServeTest, SigintExitsZero) {
  process_->Signal(SIGINT);
  EXPECT_EQ(process_->Wait(), 0) << process_->Log();
}

TEST_F(ServeTest, PortInUseExitsOneWithAClearError) {
  TempDir dir;
  auto second = Process::Start(Binary(), {"serve", "--port", std::to_string(port_)}, {},
                               dir.File("second.log"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)->Wait(), 1) << (*second)->Log();
  EXPECT_TRUE(absl::StrContains((*second)->Log(), "cannot listen on 127.0.0.1:"))
      << (*second)->Log();
}

TEST(CliTest, NoSubcommandIsAUsageError) {
  TempDir dir;
  auto process = Process::Start(Binary(), {}, {}, dir.File("cli.log"));
  ASSERT_TRUE(process.ok());
  EXPECT_EQ((*process)->Wait(), 2);
  EXPECT_TRUE(absl::StrContains((*process)->Log(), "usage:")) << (*process)->Log();
}

// -------------------------------------------------------- `send` end to end

// Escaped "<", odd spacing and a trailing newline: re-serialising would change the bytes.
constexpr char kPayload[] = R"({"action":"hire_candidate",  "payload" : {"application": {"id": 42,)"
                            R"( "note":"\u003cb\u003eWelcome\u003c/b\u003e"},"tags":[1, 2 ,3]}})"
                            "\n";
constexpr char kSecret[] = "s3cret-key";

class SendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.File("payload.json"), kPayload);
    WriteFile(dir_.File("secret"), std::string(kSecret) + "\n");
  }

  // Runs `send` to completion; returns its exit code.
  int Send(const std::string& url, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "send", "--url", url, "--secret-file", dir_.File("secret"), "--retry-scale", "0.001"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(dir_.File("payload.json"));
    auto process = Process::Start(Binary(), args, {}, dir_.File("send.log"));
    EXPECT_TRUE(process.ok());
    if (!process.ok()) return -1;
    int code = (*process)->Wait(absl::Seconds(60));
    log_ = (*process)->Log();
    return code;
  }

  TempDir dir_;
  std::string log_;
};

TEST_F(SendTest, SignsTheExactFileBytes) {
  RecordingReceiver receiver({200});
  EXPECT_EQ(Send(receiver.url(), {}), 0) << log_;
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u) << log_;
  EXPECT_EQ(requests[0].body, kPayload);
  EXPECT_EQ(requests[0].Header("Signature"), "sha256 " + IndependentHmac(kSecret, kPayload));
  EXPECT_EQ(requests[0].Header("Content-Type"), "application/json");
  EXPECT_EQ(requests[0].Header("User-Agent"), "Greenhouse-Webhooks/1.0 (hiresync sandbox)");
  EXPECT_EQ(requests[0].Header("Greenhouse-Event-ID").size(), 36u);
  EXPECT_TRUE(absl::StrContains(log_, "200\nanswer 1")) << log_;
}

TEST_F(SendTest, RetriesUntil200WithTheSameEventId) {
  RecordingReceiver receiver({503, 503, 200});
  EXPECT_EQ(Send(receiver.url(), {}), 0) << log_;
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u) << log_;
  const std::string event_id = requests[0].Header("Greenhouse-Event-ID");
  EXPECT_FALSE(event_id.empty());
  for (const auto& request : requests) {
    EXPECT_EQ(request.Header("Greenhouse-Event-ID"), event_id);
    EXPECT_EQ(request.body, kPayload);
  }
  EXPECT_TRUE(absl::StrContains(log_, "attempt 1: 503")) << log_;
  EXPECT_TRUE(absl::StrContains(log_, "retrying in 0.06s")) << log_;
  EXPECT_TRUE(absl::StrContains(log_, "retrying in 0.9s")) << log_;
  EXPECT_TRUE(absl::StrContains(log_, "attempt 3: 200")) << log_;
}

TEST_F(SendTest, NoContent204IsAFailure) {
  RecordingReceiver receiver({204});
  EXPECT_EQ(Send(receiver.url(), {"--max-attempts", "2", "--event-id", "evt-204"}), 1) << log_;
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u) << log_;
  EXPECT_EQ(requests[1].Header("Greenhouse-Event-ID"), "evt-204");
  EXPECT_TRUE(absl::StrContains(log_, "giving up after 2 attempts")) << log_;
}

TEST_F(SendTest, PingComesFirstAndIsSigned) {
  RecordingReceiver receiver({200});
  EXPECT_EQ(Send(receiver.url(), {"--ping", "--event-id", "evt-1"}), 0) << log_;
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u) << log_;
  nlohmann::json ping = nlohmann::json::parse(requests[0].body);
  EXPECT_EQ(ping.at("action"), "ping");
  EXPECT_EQ(ping.at("payload").at("endpoint_url"), receiver.url());
  EXPECT_EQ(ping.at("payload").at("event"), "Candidate has been hired");
  EXPECT_EQ(ping.at("payload").at("active"), true);
  EXPECT_EQ(requests[0].Header("Signature"),
            "sha256 " + IndependentHmac(kSecret, requests[0].body));
  EXPECT_EQ(requests[1].body, kPayload);
  EXPECT_EQ(requests[1].Header("Greenhouse-Event-ID"), "evt-1");
}

TEST_F(SendTest, RejectedPingStopsWithExit3) {
  RecordingReceiver receiver({500});
  EXPECT_EQ(Send(receiver.url(), {"--ping"}), 3) << log_;
  EXPECT_EQ(receiver.requests().size(), 1u);
  EXPECT_TRUE(absl::StrContains(log_, "save this webhook disabled")) << log_;
}

TEST_F(SendTest, NetworkErrorIsRetriedThenGivenUp) {
  const std::string url = absl::StrCat("http://127.0.0.1:", FreePort(), "/hook");
  EXPECT_EQ(Send(url, {"--max-attempts", "2"}), 1) << log_;
  EXPECT_TRUE(absl::StrContains(log_, "attempt 1: network error")) << log_;
  EXPECT_TRUE(absl::StrContains(log_, "attempt 2: network error")) << log_;
}

}  // namespace
}  // namespace hiresync::greenhouse_sandbox
