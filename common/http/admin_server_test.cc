#include "common/http/admin_server.h"

#include <gtest/gtest.h>

#include "common/metrics/metrics.h"
#include "httplib.h"

namespace hiresync::http {
namespace {

TEST(AdminServerTest, ServesHealthReadinessAndMetrics) {
  auto& family = prometheus::BuildCounter()
                     .Name("admin_test_things_total")
                     .Help("Things counted by the admin server test.")
                     .Register(*metrics::Registry());
  family.Add({{"kind", "a"}}).Increment(3);

  AdminServer admin;
  ASSERT_TRUE(admin.Start("127.0.0.1", 0).ok());
  httplib::Client client("127.0.0.1", admin.port());

  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  auto not_ready = client.Get("/readyz");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  admin.SetReady(true);
  auto ready = client.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);

  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("admin_test_things_total{kind=\"a\"} 3"), std::string::npos)
      << metrics->body;
  admin.Stop();
}

TEST(AdminServerTest, PortInUseIsAClearError) {
  AdminServer first;
  ASSERT_TRUE(first.Start("127.0.0.1", 0).ok());
  AdminServer second;
  absl::Status status = second.Start("127.0.0.1", first.port());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("already in use"), std::string::npos);
}

}  // namespace
}  // namespace hiresync::http
