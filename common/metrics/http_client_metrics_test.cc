#include "common/metrics/http_client_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/metrics/metrics.h"

namespace hiresync::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(StatusClassTest, GroupsByHundredsAndNamesMissingAnswers) {
  EXPECT_EQ(StatusClass(200), "2xx");
  EXPECT_EQ(StatusClass(201), "2xx");
  EXPECT_EQ(StatusClass(429), "4xx");
  EXPECT_EQ(StatusClass(503), "5xx");
  EXPECT_EQ(StatusClass(0), "network_error");
  EXPECT_EQ(StatusClass(-1), "network_error");
}

TEST(HttpClientMetricsTest, ExposesNamedFamiliesWithEndpointAndStatusClass) {
  HttpClientMetrics metrics("testapi",
                            {"Calls to the test API.", "Duration of test API calls.",
                             "Waits for the test API's rate limit.", "Time spent waiting."});
  metrics.ObserveCall("GET /things", 200, 0.02);
  metrics.ObserveCall("GET /things", 204, 0.03);
  metrics.ObserveCall("POST /things", 0, 1.5);
  metrics.CountRateLimitWait(1.5);
  metrics.CountRateLimitWait(0.25);

  std::string text = Serialize();
  EXPECT_THAT(text, HasSubstr("# HELP hiresync_testapi_requests_total Calls to the test API."));
  EXPECT_THAT(
      text,
      HasSubstr(R"(hiresync_testapi_requests_total{route="GET /things",status_class="2xx"} 2)"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(hiresync_testapi_requests_total{route="POST /things",status_class="network_error"} 1)"));
  EXPECT_THAT(text,
              HasSubstr(R"(hiresync_testapi_request_seconds_count{route="GET /things"} 2)"));
  EXPECT_THAT(
      text,
      HasSubstr(R"(hiresync_testapi_request_seconds_bucket{route="POST /things",le="2.5"} 1)"));
  EXPECT_THAT(text, HasSubstr("hiresync_testapi_rate_limit_waits_total 2"));
  EXPECT_THAT(text, HasSubstr("hiresync_testapi_rate_limit_wait_seconds_total 1.75"));
  EXPECT_THAT(text, HasSubstr(R"(hiresync_testapi_request_seconds_bucket{route="GET /things",le="0.001"} 0)"));
  // Each route's other status classes are there at 0 from its first call on; no 3xx.
  EXPECT_THAT(text,
              HasSubstr(R"(hiresync_testapi_requests_total{route="GET /things",status_class="5xx"} 0)"));
  EXPECT_THAT(
      text,
      HasSubstr(R"(hiresync_testapi_requests_total{route="POST /things",status_class="2xx"} 0)"));
  EXPECT_THAT(text, Not(HasSubstr(R"(status_class="3xx")")));
}

}  // namespace
}  // namespace hiresync::metrics
