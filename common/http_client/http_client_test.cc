#include <condition_variable>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "common/http/server_defaults.h"
#include "common/http_client/client_setup.h"
#include "common/http_client/rate_limit.h"
#include "common/http_client/url.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace hiresync::http_client {
namespace {

TEST(SplitHttpUrlTest, SplitsOriginAndPath) {
  auto split = SplitHttpUrl("http://127.0.0.1:8090/v1/companies/demo/");
  ASSERT_TRUE(std::holds_alternative<Url>(split));
  EXPECT_EQ(std::get<Url>(split).origin, "http://127.0.0.1:8090");
  EXPECT_EQ(std::get<Url>(split).path, "/v1/companies/demo/");

  split = SplitHttpUrl("https://harvest.greenhouse.io");
  ASSERT_TRUE(std::holds_alternative<Url>(split));
  EXPECT_EQ(std::get<Url>(split).origin, "https://harvest.greenhouse.io");
  EXPECT_EQ(std::get<Url>(split).path, "");

  split = SplitHttpUrl("https://h/v3/notes?page_after=abc&per_page=2");
  ASSERT_TRUE(std::holds_alternative<Url>(split));
  EXPECT_EQ(std::get<Url>(split).origin, "https://h");
  EXPECT_EQ(std::get<Url>(split).path, "/v3/notes?page_after=abc&per_page=2");
}

TEST(SplitHttpUrlTest, SaysWhatIsWrong) {
  auto problem = [](absl::string_view url) {
    auto split = SplitHttpUrl(url);
    return std::holds_alternative<UrlProblem>(split) ? std::get<UrlProblem>(split)
                                                     : static_cast<UrlProblem>(-1);
  };
  EXPECT_EQ(problem("harvest.greenhouse.io/v3"), UrlProblem::kNoScheme);
  EXPECT_EQ(problem(""), UrlProblem::kNoScheme);
  EXPECT_EQ(problem("ftp://host/x"), UrlProblem::kNotHttp);
  EXPECT_EQ(problem("HTTPS://host/x"), UrlProblem::kNotHttp);
  EXPECT_EQ(problem("https://"), UrlProblem::kNoHost);
  EXPECT_EQ(problem("http:///v3"), UrlProblem::kNoHost);
}

TEST(PercentEncodeTest, KeepsUnreservedAndEncodesEverythingElse) {
  EXPECT_EQ(PercentEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(PercentEncode("hr+ops@acme.test"), "hr%2Bops%40acme.test");
  EXPECT_EQ(PercentEncode("a b/c&d=e"), "a%20b%2Fc%26d%3De");
  EXPECT_EQ(PercentEncode("Jos\xC3\xA9"), "Jos%C3%A9");
  EXPECT_EQ(PercentEncode(""), "");
}

// Time stands still; sleeps are recorded.
class StillClock : public time::Clock {
 public:
  explicit StillClock(absl::Time now) : now_(now) {}
  absl::Time Now() override { return now_; }
  void SleepFor(absl::Duration duration) override { sleeps.push_back(duration); }
  std::vector<absl::Duration> sleeps;

 private:
  absl::Time now_;
};

TEST(RateLimitHoldTest, NoHoldNoWait) {
  StillClock clock(absl::FromUnixSeconds(1000));
  RateLimitHold hold;
  EXPECT_FALSE(hold.Wait(clock, absl::Seconds(60)));
  EXPECT_TRUE(clock.sleeps.empty());
}

TEST(RateLimitHoldTest, SlowsDownAtTheThresholdUntilTheWindowResets) {
  StillClock clock(absl::FromUnixSeconds(1000));
  RateLimitHold hold;
  hold.SlowDownBeforeLimit("2", "1010", 1);
  EXPECT_FALSE(hold.Wait(clock, absl::Seconds(60)));
  hold.SlowDownBeforeLimit("1", "1010", 1);
  EXPECT_TRUE(hold.Wait(clock, absl::Seconds(60)));
  ASSERT_EQ(clock.sleeps.size(), 1u);
  EXPECT_EQ(clock.sleeps[0], absl::Seconds(10));
  EXPECT_FALSE(hold.Wait(clock, absl::Seconds(60))) << "a wait clears the hold";
}

TEST(RateLimitHoldTest, HeadersThatDoNotParseHoldNothing) {
  StillClock clock(absl::FromUnixSeconds(1000));
  RateLimitHold hold;
  hold.SlowDownBeforeLimit("", "1010", 1);
  hold.SlowDownBeforeLimit("0", "", 1);
  hold.SlowDownBeforeLimit("zero", "1010", 1);
  EXPECT_FALSE(hold.Wait(clock, absl::Seconds(60)));
}

TEST(RateLimitHoldTest, KeepsTheLaterHoldAndCapsTheWait) {
  StillClock clock(absl::FromUnixSeconds(1000));
  RateLimitHold hold;
  hold.HoldUntil(absl::FromUnixSeconds(1500));
  hold.HoldUntil(absl::FromUnixSeconds(1005));
  absl::Duration slept;
  EXPECT_TRUE(hold.Wait(clock, absl::Seconds(60), &slept));
  ASSERT_EQ(clock.sleeps.size(), 1u);
  EXPECT_EQ(clock.sleeps[0], absl::Seconds(60));
  EXPECT_EQ(slept, absl::Seconds(60));
  EXPECT_FALSE(hold.Wait(clock, absl::Seconds(60), &slept));
  EXPECT_EQ(slept, absl::ZeroDuration());
}

TEST(RateLimitHoldTest, AHoldInThePastIsNoWait) {
  StillClock clock(absl::FromUnixSeconds(1000));
  RateLimitHold hold;
  hold.HoldUntil(absl::FromUnixSeconds(999));
  EXPECT_FALSE(hold.Wait(clock, absl::Seconds(60)));
}

TEST(RetryAfterSecondsTest, ReadsNonNegativeIntegers) {
  EXPECT_EQ(RetryAfterSeconds("0"), 0);
  EXPECT_EQ(RetryAfterSeconds("42"), 42);
  EXPECT_EQ(RetryAfterSeconds(" 7 "), 7);
  EXPECT_EQ(RetryAfterSeconds("1700000000"), 1700000000);
  EXPECT_EQ(RetryAfterSeconds(""), std::nullopt);
  EXPECT_EQ(RetryAfterSeconds("-3"), std::nullopt);
  EXPECT_EQ(RetryAfterSeconds("soon"), std::nullopt);
  EXPECT_EQ(RetryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
}

// A loopback server that records request targets; /slow answers only once released.
class RecordingServer {
 public:
  RecordingServer() {
    server_.Get(R"(/slow)", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock lock(mutex_);
      released_cv_.wait(lock, [this] { return released_; });
      res.set_content("late", "text/plain");
    });
    server_.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      targets_.push_back(req.target);
      res.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = hiresync::http::ListenInBackground(server_);
  }
  ~RecordingServer() {
    Release();
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  void Release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    released_cv_.notify_all();
  }
  std::vector<std::string> targets() {
    std::lock_guard lock(mutex_);
    return targets_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  bool released_ = false;  // guarded by mutex_
  std::condition_variable released_cv_;
  std::mutex mutex_;
  std::vector<std::string> targets_;
};

TEST(ConfigureClientTest, SendsPathsAsGiven) {
  RecordingServer server;
  httplib::Client configured("127.0.0.1", server.port());
  ConfigureClient(configured, {absl::Seconds(5), absl::Seconds(5), absl::Seconds(5)});
  httplib::Client plain("127.0.0.1", server.port());
  plain.set_connection_timeout(5);
  auto sent = configured.Get("/x;y");
  ASSERT_TRUE(sent) << httplib::to_string(sent.error());
  auto encoded = plain.Get("/x;y");
  ASSERT_TRUE(encoded) << httplib::to_string(encoded.error());
  std::vector<std::string> targets = server.targets();
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0], "/x;y");
  EXPECT_NE(targets[1], "/x;y") << "httplib's own encoding should differ, else this test proves "
                                   "nothing";
}

TEST(ConfigureClientTest, AppliesTheReadTimeout) {
  RecordingServer server;
  httplib::Client client("127.0.0.1", server.port());
  ConfigureClient(client, {absl::Seconds(5), absl::Milliseconds(200), absl::Seconds(5)});
  absl::Time start = absl::Now();
  auto result = client.Get("/slow");
  absl::Duration took = absl::Now() - start;
  server.Release();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), httplib::Error::Read);
  EXPECT_LT(took, absl::Seconds(4));
}

}  // namespace
}  // namespace hiresync::http_client
