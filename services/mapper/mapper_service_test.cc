// Runs the real hiresync-mapper binary and talks to it over gRPC and HTTP.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/greenhouse/webhook.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hiresync/v1/mapper.grpc.pb.h"
#include "httplib.h"
#include "tests/support/process.h"

namespace hiresync::mapper {
namespace {

using ::testing::HasSubstr;
using hiresync::testing::BinDir;
using hiresync::testing::FreePort;
using hiresync::testing::Process;
using hiresync::testing::TempDir;

struct Running {
  std::unique_ptr<Process> process;
  int grpc_port = 0;
  int admin_port = 0;
};

absl::StatusOr<std::unique_ptr<Process>> StartMapper(const std::vector<std::string>& args,
                                                     const std::string& log_path) {
  return Process::Start(BinDir() + "/hiresync-mapper", args, {}, log_path);
}

class MapperServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc_port_ = FreePort();
    admin_port_ = FreePort();
    absl::StatusOr<std::unique_ptr<Process>> process =
        StartMapper({absl::StrCat("--grpc_listen=127.0.0.1:", grpc_port_),
                     absl::StrCat("--admin_listen_port=", admin_port_), "--admin_host=127.0.0.1"},
                    dir_.File("mapper.log"));
    ASSERT_TRUE(process.ok()) << process.status();
    process_ = std::move(*process);
    ASSERT_TRUE(hiresync::testing::WaitForHttp(admin_port_, "/readyz")) << process_->Log();
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", grpc_port_),
                                   grpc::InsecureChannelCredentials());
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }

  std::string Get(const std::string& path) {
    httplib::Client client("127.0.0.1", admin_port_);
    auto result = client.Get(path.c_str());
    return result && result->status == 200 ? result->body : "";
  }

  TempDir dir_;
  int grpc_port_ = 0;
  int admin_port_ = 0;
  std::unique_ptr<Process> process_;
  std::shared_ptr<grpc::Channel> channel_;
};

v1::MapRequest FixtureRequest() {
  v1::MapRequest request;
  std::string body =
      hiresync::testing::ReadFile(hiresync::testing::FixturesDir() + "/hire_candidate.json");
  absl::StatusOr<greenhouse::Envelope> envelope = greenhouse::ParseEnvelope(body);
  EXPECT_TRUE(envelope.ok()) << envelope.status();
  if (!envelope.ok()) return request;
  absl::StatusOr<v1::Application> application = greenhouse::ParseHireApplication(envelope->payload);
  EXPECT_TRUE(application.ok()) << application.status();
  if (!application.ok()) return request;
  v1::HireEvent* event = request.mutable_event();
  event->set_connection_id("acme");
  event->set_delivery_id("delivery-1");
  event->set_raw_payload(body);
  *event->mutable_application() = *application;
  return request;
}

TEST_F(MapperServiceTest, MapsTheGreenhouseHireOverGrpc) {
  std::unique_ptr<v1::Mapper::Stub> stub = v1::Mapper::NewStub(channel_);
  v1::MapResponse response;
  grpc::Status status = stub->Map(Context().get(), FixtureRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.syncable());
  const v1::NewHire& hire = response.new_hire();
  EXPECT_EQ(hire.connection_id(), "acme");
  EXPECT_EQ(hire.candidate_id(), 35897443);
  EXPECT_EQ(hire.application_id(), 46194062);
  EXPECT_EQ(hire.first_name(), "Johnny");
  EXPECT_EQ(hire.last_name(), "Smith");
  EXPECT_EQ(hire.personal_email(), "personal@example.com");
  EXPECT_EQ(hire.start_date(), "2015-01-23");
  EXPECT_EQ(hire.department(), "Technology");
  EXPECT_EQ(hire.location(), "New York City");
  ASSERT_EQ(hire.documents_size(), 1);
  EXPECT_EQ(hire.documents(0).category(), "resume");
  EXPECT_EQ(response.problems_size(), 4);

  std::string metrics = Get("/metrics");
  EXPECT_THAT(metrics, HasSubstr("hiresync_mapper_problems_total{code=\"several_offices\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("hiresync_mapper_problems_total{code=\"offer_field_missing\"} 2"));
  EXPECT_THAT(metrics, HasSubstr("grpc_method=\"Map\""));

  // The log line names the problems but carries no personal data.
  std::string log = process_->Log();
  EXPECT_THAT(log, HasSubstr("\"msg\":\"mapped\""));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("personal@example.com")));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("Johnny")));
}

TEST_F(MapperServiceTest, RequestWithoutApplicationIsInvalidArgument) {
  std::unique_ptr<v1::Mapper::Stub> stub = v1::Mapper::NewStub(channel_);
  v1::MapResponse response;
  grpc::Status status = stub->Map(Context().get(), v1::MapRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("event.application is missing"));
}

TEST_F(MapperServiceTest, StandardHealthCheckAnswersServing) {
  // grpc.health.v1.Health/Check with an empty HealthCheckRequest (service "");
  // the answer {status: SERVING} is field 1 = 1 on the wire.
  grpc::GenericStub stub(channel_);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer reply;
  std::promise<grpc::Status> done;
  std::unique_ptr<grpc::ClientContext> context = Context();
  stub.UnaryCall(context.get(), "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                 &reply, [&done](grpc::Status status) { done.set_value(status); });
  grpc::Status status = done.get_future().get();
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(reply.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));
}

TEST_F(MapperServiceTest, SigtermDrainsAndExitsZero) {
  process_->Signal(SIGTERM);
  EXPECT_EQ(process_->Wait(absl::Seconds(15)), 0) << process_->Log();
  EXPECT_THAT(process_->Log(), HasSubstr("\"msg\":\"stopped\""));
}

TEST_F(MapperServiceTest, AdminPortInUseExitsOne) {
  absl::StatusOr<std::unique_ptr<Process>> second =
      StartMapper({absl::StrCat("--grpc_listen=127.0.0.1:", FreePort()),
                   absl::StrCat("--admin_listen_port=", admin_port_)},
                  dir_.File("second.log"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)->Wait(absl::Seconds(15)), 1);
  EXPECT_THAT((*second)->Log(), HasSubstr("already in use"));
}

TEST(MapperBinaryTest, BadFlagsExitOne) {
  TempDir dir;
  absl::StatusOr<std::unique_ptr<Process>> bad_port =
      StartMapper({"--admin_listen_port=70000"}, dir.File("port.log"));
  ASSERT_TRUE(bad_port.ok()) << bad_port.status();
  EXPECT_EQ((*bad_port)->Wait(absl::Seconds(15)), 1);
  EXPECT_THAT((*bad_port)->Log(), HasSubstr("is not a TCP port"));

  absl::StatusOr<std::unique_ptr<Process>> bad_level =
      StartMapper({"--log_level=loud"}, dir.File("level.log"));
  ASSERT_TRUE(bad_level.ok()) << bad_level.status();
  EXPECT_EQ((*bad_level)->Wait(absl::Seconds(15)), 1);
  EXPECT_THAT((*bad_level)->Log(), HasSubstr("not a log level"));

  absl::StatusOr<std::unique_ptr<Process>> unknown =
      StartMapper({"--no_such_flag=1"}, dir.File("unknown.log"));
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_EQ((*unknown)->Wait(absl::Seconds(15)), 1);
}

}  // namespace
}  // namespace hiresync::mapper
