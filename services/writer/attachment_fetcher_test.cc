#include "services/writer/attachment_fetcher.h"

#include "common/http/server_defaults.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "tests/support/process.h"

namespace hiresync::writer {
namespace {

class AttachmentFetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/resume.pdf", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.has_header("Authorization") || req.has_header("Cookie")) credentials_seen_ = true;
      res.set_content("%PDF-1.4 resume", "application/pdf");
    });
    server_.Get("/expired.pdf", [](const httplib::Request&, httplib::Response& res) {
      res.status = 403;
      res.set_content("<Error>Request has expired</Error>", "application/xml");
    });
    server_.Get("/missing.pdf",
                [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
    server_.Get("/big.bin", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(4096, 'x'), "application/octet-stream");
    });
    server_.Get("/broken.pdf",
                [](const httplib::Request&, httplib::Response& res) { res.status = 503; });
    server_.Get(R"(/hop/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      int n = std::stoi(req.matches[1]);
      res.set_redirect(n == 0 ? "/resume.pdf" : absl::StrCat("/hop/", n - 1));
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = hiresync::http::ListenInBackground(server_);
    hiresync::testing::WaitFor([this] { return server_.is_running(); });
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> credentials_seen_{false};
};

TEST_F(AttachmentFetcherTest, DownloadsWithoutCredentials) {
  AttachmentFetcher fetcher;
  auto bytes = fetcher.Fetch(Url("/resume.pdf?X-Amz-Signature=abc%2Fdef"));
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes, "%PDF-1.4 resume");
  EXPECT_FALSE(credentials_seen_);
}

TEST_F(AttachmentFetcherTest, ExpiredLinkSaysToResend) {
  AttachmentFetcher fetcher;
  auto bytes = fetcher.Fetch(Url("/expired.pdf"));
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(bytes.status().message().find("expired"), std::string::npos);
  EXPECT_NE(bytes.status().message().find("re-send the hire"), std::string::npos);
}

TEST_F(AttachmentFetcherTest, NotFoundTooLargeAndServerErrorAreDistinct) {
  AttachmentFetcherOptions options;
  options.max_bytes = 1000;
  AttachmentFetcher fetcher(options);
  EXPECT_EQ(fetcher.Fetch(Url("/missing.pdf")).status().code(), absl::StatusCode::kNotFound);
  auto big = fetcher.Fetch(Url("/big.bin"));
  EXPECT_EQ(big.status().code(), absl::StatusCode::kOutOfRange) << big.status();
  EXPECT_EQ(fetcher.Fetch(Url("/broken.pdf")).status().code(), absl::StatusCode::kUnavailable);
  int closed = hiresync::testing::FreePort();
  EXPECT_EQ(fetcher.Fetch(absl::StrCat("http://127.0.0.1:", closed, "/x")).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(fetcher.Fetch("ftp://example.com/x").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AttachmentFetcherTest, FollowsAtMostThreeRedirects) {
  AttachmentFetcher fetcher;
  auto three = fetcher.Fetch(Url("/hop/2"));  // /hop/2 -> /hop/1 -> /hop/0 -> /resume.pdf
  ASSERT_TRUE(three.ok()) << three.status();
  EXPECT_EQ(*three, "%PDF-1.4 resume");
  auto four = fetcher.Fetch(Url("/hop/3"));
  ASSERT_FALSE(four.ok());
  EXPECT_NE(four.status().message().find("redirected more than 3"), std::string::npos);
}

}  // namespace
}  // namespace hiresync::writer
