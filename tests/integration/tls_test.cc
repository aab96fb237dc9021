// mTLS between the real services: a hire goes ingress -> mapper -> writer -> notes over
// mTLS; each gRPC port refuses plaintext while its --grpc_health_listen port answers it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/grpc/server.h"
#include "tests/integration/stack.h"
#include "tests/support/certs.h"
#include "tests/support/grpc_health.h"

namespace hiresync::testing {
namespace {

using ::testing::HasSubstr;

std::map<std::string, std::string> TlsEnv(const TestPki& pki, int health_port) {
  return {{"HIRESYNC_TLS_CERT_FILE", pki.server.cert},
          {"HIRESYNC_TLS_KEY_FILE", pki.server.key},
          {"HIRESYNC_TLS_CA_FILE", pki.ca.cert},
          {"HIRESYNC_GRPC_HEALTH_LISTEN", absl::StrCat("127.0.0.1:", health_port)}};
}

class MutualTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pki = MakeTestPki(certs_.path());
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = *pki;
    StackOptions options;
    options.admin_token = "mtls-admin-token";
    for (const char* service : {"ingress", "mapper", "writer", "notes"}) {
      health_ports_[service] = FreePort();
      options.env[service] = TlsEnv(pki_, health_ports_[service]);
    }
    stack_ = std::make_unique<Stack>(options);
    ASSERT_NO_FATAL_FAILURE(stack_->Start());
  }

  TempDir certs_;
  TestPki pki_;
  std::map<std::string, int> health_ports_;
  std::unique_ptr<Stack> stack_;
};

TEST_F(MutualTlsTest, HireIsSyncedOverMutualTls) {
  auto answer = stack_->SendWebhook(stack_->HireFixture(), "evt-mtls");
  ASSERT_EQ(answer.status, 200) << answer.body;
  ASSERT_TRUE(stack_->WaitForDone(1)) << stack_->Logs();
  auto employees = stack_->Employees();
  ASSERT_EQ(employees.size(), 1u) << employees.dump(2);
  EXPECT_EQ(employees[0]["first_name"], "Johnny");
  // The example hire is synced with warnings, so notes (also over mTLS) wrote one.
  EXPECT_EQ(stack_->Notes(kFirstCandidateId).size(), 1u);
  for (Process* p : {stack_->ingress(), stack_->mapper(), stack_->writer(), stack_->notes()}) {
    EXPECT_THAT(p->Log(), HasSubstr("\"grpc_tls\":\"mtls\""));
  }
}

TEST_F(MutualTlsTest, GrpcPortsRefusePlaintextAndHealthPortsAnswerIt) {
  std::map<std::string, int> grpc_ports = {{"ingress", stack_->ingress_grpc},
                                           {"mapper", stack_->mapper_grpc},
                                           {"writer", stack_->writer_grpc},
                                           {"notes", stack_->notes_grpc}};
  for (const auto& [service, port] : grpc_ports) {
    auto plaintext =
        CheckHealth(grpcutil::MakeChannel(absl::StrCat("127.0.0.1:", port)), absl::Seconds(2));
    EXPECT_FALSE(plaintext.ok()) << service;
    auto probe =
        CheckHealth(grpcutil::MakeChannel(absl::StrCat("127.0.0.1:", health_ports_[service])));
    ASSERT_TRUE(probe.ok()) << service << ": " << probe.status();
    EXPECT_EQ(*probe, HealthStatus::kServing) << service;
  }
}

TEST_F(MutualTlsTest, HiresyncctlPresentsAClientCertificate) {
  auto with_cert = stack_->Ctl({"connections"}, true,
                               {{"HIRESYNC_TLS_CERT_FILE", pki_.client.cert},
                                {"HIRESYNC_TLS_KEY_FILE", pki_.client.key},
                                {"HIRESYNC_TLS_CA_FILE", pki_.ca.cert}});
  EXPECT_EQ(with_cert.exit_code, 0) << with_cert.output;
  EXPECT_THAT(with_cert.output, HasSubstr("demo"));
  auto without = stack_->Ctl({"connections", "--deadline_ms=2000"});
  EXPECT_EQ(without.exit_code, 1) << without.output;
  EXPECT_THAT(without.output, HasSubstr("cannot reach hiresync-ingress"));
}

class TlsFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pki = MakeTestPki(dir_.path());
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = *pki;
  }
  // Starts hiresync-mapper with `args` and `env`; expects it to stop; returns its output.
  std::string StartupFailure(std::vector<std::string> args,
                             const std::map<std::string, std::string>& env) {
    args.insert(args.begin(), {"--grpc_listen=127.0.0.1:0", "--admin_listen_port=0"});
    auto mapper = Process::Start(BinDir() + "/hiresync-mapper", args, env, dir_.File("mapper.log"));
    EXPECT_TRUE(mapper.ok()) << mapper.status();
    if (!mapper.ok()) return "";
    EXPECT_NE((*mapper)->Wait(), 0);
    return (*mapper)->Log();
  }
  TempDir dir_;
  TestPki pki_;
};

TEST_F(TlsFlagsTest, SomeButNotAllFilesStopTheServiceNamingTheMissingFlag) {
  EXPECT_THAT(StartupFailure({"--tls_cert_file=" + pki_.server.cert},
                             {{"HIRESYNC_TLS_KEY_FILE", pki_.server.key}}),
              HasSubstr("but --tls_ca_file is not set"));
}

TEST_F(TlsFlagsTest, ACertificateFromAnotherCaStopsTheService) {
  EXPECT_THAT(
      StartupFailure({"--tls_cert_file=" + pki_.server.cert, "--tls_key_file=" + pki_.server.key,
                      "--tls_ca_file=" + pki_.other_ca.cert},
                     {}),
      HasSubstr("does not verify against --tls_ca_file"));
}

}  // namespace
}  // namespace hiresync::testing
