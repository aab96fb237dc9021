#include "common/grpc/grpc_log.h"

#include <grpc/grpc.h>
#include <grpc/support/log.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "common/log/log.h"
#include "nlohmann/json.hpp"

namespace hiresync::grpcutil {
namespace {

TEST(GrpcLogTest, GrpcLinesBecomeRedactedJsonLines) {
  log::Init("grpc-log-test");
  grpc_init();  // as in a service: gRPC reads its log verbosity when it starts
  RouteGrpcLogsToJsonLog();
  RouteGrpcLogsToJsonLog();  // a second call changes nothing
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  gpr_log(GPR_ERROR, "handshake failed with peer %s (cert of %s)", "ipv4:127.0.0.1:5", "a@b.com");
  std::string out = testing::internal::GetCapturedStdout();
  std::string err = testing::internal::GetCapturedStderr();

  EXPECT_EQ(err, "");  // nothing left on gRPC's own stderr format
  std::istringstream lines(out);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line)) << out;
  nlohmann::json json = nlohmann::json::parse(line);
  EXPECT_EQ(json["level"], "error");
  EXPECT_EQ(json["msg"], "grpc");
  EXPECT_EQ(json["service"], "grpc-log-test");
  std::string detail = json["detail"];
  EXPECT_NE(detail.find("handshake failed with peer ipv4:127.0.0.1:5"), std::string::npos);
  EXPECT_EQ(detail.find("a@b.com"), std::string::npos) << "emails are masked: " << detail;
  EXPECT_NE(std::string(json["source"]).find("grpc_log_test.cc:"), std::string::npos);
  grpc_shutdown();
}

}  // namespace
}  // namespace hiresync::grpcutil
