// mTLS on a real gRPC server on loopback, with certificates made by openssl for the test.
#include "common/grpc/tls.h"

#include <gmock/gmock.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/flags.h"
#include "common/grpc/server.h"
#include "tests/support/certs.h"
#include "tests/support/grpc_health.h"
#include "tests/support/process.h"

ABSL_DECLARE_FLAG(std::string, tls_cert_file);
ABSL_DECLARE_FLAG(std::string, tls_key_file);
ABSL_DECLARE_FLAG(std::string, tls_ca_file);
ABSL_DECLARE_FLAG(std::string, grpc_health_listen);

namespace hiresync::grpcutil {
namespace {

using ::hiresync::testing::CheckHealth;
using ::hiresync::testing::HealthStatus;
using ::testing::HasSubstr;

std::string Address(int port) { return absl::StrCat("127.0.0.1:", port); }

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pki = ::hiresync::testing::MakeTestPki(dir_.path());
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = *pki;
  }

  std::shared_ptr<const Tls> MakeTls(const ::hiresync::testing::CertFiles& identity,
                                     std::string server_name = "") {
    TlsOptions options;
    options.files = {identity.cert, identity.key, pki_.ca.cert};
    options.refresh = absl::Seconds(1);
    options.server_name = std::move(server_name);
    auto tls = Tls::Create(options);
    EXPECT_TRUE(tls.ok()) << tls.status();
    return tls.ok() ? *tls : nullptr;
  }

  RunningServer StartTlsServer(std::shared_ptr<const Tls> tls) {
    ServerOptions options;
    options.tls = std::move(tls);
    options.health_listen = "127.0.0.1:0";
    auto server = StartServer("127.0.0.1:0", {}, options);
    EXPECT_TRUE(server.ok()) << server.status();
    server->SetServing(true);
    return std::move(*server);
  }

  // A channel of its own (no connection shared with earlier channels), so it makes a new
  // TLS handshake.
  std::shared_ptr<grpc::Channel> FreshChannel(int port,
                                              std::shared_ptr<grpc::ChannelCredentials> creds,
                                              const std::string& server_name = "") {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    if (!server_name.empty()) args.SetSslTargetNameOverride(server_name);
    return grpc::CreateCustomChannel(Address(port), creds, args);
  }

  ::hiresync::testing::TempDir dir_;
  ::hiresync::testing::TestPki pki_;
};

TEST_F(TlsTest, ClientWithCertificateFromTheCaIsServed) {
  RunningServer server = StartTlsServer(MakeTls(pki_.server));
  auto client = MakeTls(pki_.client);
  auto health = CheckHealth(MakeChannel(Address(server.port), client.get()));
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, HealthStatus::kServing);
  server.Shutdown(absl::Seconds(1));
}

TEST_F(TlsTest, ClientWithoutCertificateIsRefused) {
  RunningServer server = StartTlsServer(MakeTls(pki_.server));
  grpc::SslCredentialsOptions no_identity;
  no_identity.pem_root_certs = ::hiresync::testing::ReadFile(pki_.ca.cert);
  auto health = CheckHealth(FreshChannel(server.port, grpc::SslCredentials(no_identity)));
  ASSERT_FALSE(health.ok());
  EXPECT_EQ(health.status().code(), absl::StatusCode::kUnavailable) << health.status();
  server.Shutdown(absl::Seconds(1));
}

TEST_F(TlsTest, ClientWithCertificateFromAnotherCaIsRefused) {
  RunningServer server = StartTlsServer(MakeTls(pki_.server));
  grpc::SslCredentialsOptions foreign;
  foreign.pem_root_certs = ::hiresync::testing::ReadFile(pki_.ca.cert);
  foreign.pem_cert_chain = ::hiresync::testing::ReadFile(pki_.other_client.cert);
  foreign.pem_private_key = ::hiresync::testing::ReadFile(pki_.other_client.key);
  auto health = CheckHealth(FreshChannel(server.port, grpc::SslCredentials(foreign)));
  ASSERT_FALSE(health.ok());
  EXPECT_EQ(health.status().code(), absl::StatusCode::kUnavailable) << health.status();
  // The same call with the CA's client certificate goes through: the refusal is the cert.
  foreign.pem_cert_chain = ::hiresync::testing::ReadFile(pki_.client.cert);
  foreign.pem_private_key = ::hiresync::testing::ReadFile(pki_.client.key);
  EXPECT_TRUE(CheckHealth(FreshChannel(server.port, grpc::SslCredentials(foreign))).ok());
  server.Shutdown(absl::Seconds(1));
}

TEST_F(TlsTest, PlaintextClientIsRefused) {
  RunningServer server = StartTlsServer(MakeTls(pki_.server));
  auto health = CheckHealth(MakeChannel(Address(server.port)), absl::Seconds(2));
  ASSERT_FALSE(health.ok());
  EXPECT_THAT(health.status().code(), ::testing::AnyOf(absl::StatusCode::kUnavailable,
                                                       absl::StatusCode::kDeadlineExceeded));
  server.Shutdown(absl::Seconds(1));
}

TEST_F(TlsTest, ServerMustPresentTheExpectedName) {
  RunningServer server = StartTlsServer(MakeTls(pki_.server));
  auto wrong = MakeTls(pki_.client, "hiresync-mapper");
  auto refused = CheckHealth(MakeChannel(Address(server.port), wrong.get()));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  auto right = MakeTls(pki_.client, "localhost");
  EXPECT_TRUE(CheckHealth(MakeChannel(Address(server.port), right.get())).ok());
  server.Shutdown(absl::Seconds(1));
}

TEST_F(TlsTest, ServerCertificateIsReloadedWhenTheMountedFilesChange) {
  // The layout Kubernetes gives a mounted Secret: tls.crt -> ..data/tls.crt, and an update
  // swaps the ..data symlink to a new folder in one rename.
  namespace fs = std::filesystem;
  std::string mount = dir_.File("mount");
  fs::create_directories(mount + "/v1");
  fs::copy_file(pki_.server.cert, mount + "/v1/tls.crt");
  fs::copy_file(pki_.server.key, mount + "/v1/tls.key");
  fs::copy_file(pki_.ca.cert, mount + "/v1/ca.crt");
  fs::create_directory_symlink("v1", mount + "/..data");
  for (const char* name : {"tls.crt", "tls.key", "ca.crt"}) {
    fs::create_symlink(std::string("..data/") + name, mount + "/" + name);
  }
  TlsOptions options;
  options.files = {mount + "/tls.crt", mount + "/tls.key", mount + "/ca.crt"};
  options.refresh = absl::Seconds(1);
  auto server_tls = Tls::Create(options);
  ASSERT_TRUE(server_tls.ok()) << server_tls.status();
  RunningServer server = StartTlsServer(*server_tls);

  auto client = MakeTls(pki_.client);
  auto check = [&](const std::string& name) {
    return CheckHealth(FreshChannel(server.port, client->ChannelCredentials(), name),
                       absl::Seconds(2));
  };
  ASSERT_TRUE(check("localhost").ok());
  ASSERT_FALSE(check("renewed.hiresync.test").ok());

  // The renewed certificate names only renewed.hiresync.test.
  fs::create_directories(mount + "/v2");
  auto renewed =
      ::hiresync::testing::MakeCert(mount + "/v2", "tls", pki_.ca, "DNS:renewed.hiresync.test");
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  fs::copy_file(pki_.ca.cert, mount + "/v2/ca.crt");
  fs::create_directory_symlink("v2", mount + "/..data_tmp");
  fs::rename(mount + "/..data_tmp", mount + "/..data");

  absl::Time swapped = absl::Now();
  EXPECT_TRUE(::hiresync::testing::WaitFor([&] { return check("renewed.hiresync.test").ok(); },
                                           absl::Seconds(20)));
  std::printf("tls reload: new certificate served %.1f s after the swap\n",
              absl::ToDoubleSeconds(absl::Now() - swapped));
  EXPECT_FALSE(check("localhost").ok());
  server.Shutdown(absl::Seconds(1));
}

TEST_F(TlsTest, HealthPortIsPlaintextAndFollowsTheMainServer) {
  RunningServer server = StartTlsServer(MakeTls(pki_.server));
  ASSERT_GT(server.health_port, 0);
  auto client = MakeTls(pki_.client);
  auto main_channel = MakeChannel(Address(server.port), client.get());
  auto health_channel = MakeChannel(Address(server.health_port));
  EXPECT_EQ(CheckHealth(health_channel).value_or(HealthStatus::kUnknown), HealthStatus::kServing);
  server.SetServing(false);
  EXPECT_EQ(CheckHealth(health_channel).value_or(HealthStatus::kUnknown),
            HealthStatus::kNotServing);
  EXPECT_EQ(CheckHealth(main_channel).value_or(HealthStatus::kUnknown), HealthStatus::kNotServing);
  server.SetServing(true);
  EXPECT_EQ(CheckHealth(health_channel).value_or(HealthStatus::kUnknown), HealthStatus::kServing);
  EXPECT_EQ(CheckHealth(main_channel).value_or(HealthStatus::kUnknown), HealthStatus::kServing);
  server.Shutdown(absl::Seconds(1));
  EXPECT_FALSE(CheckHealth(health_channel, absl::Seconds(1)).ok());
}

TEST_F(TlsTest, HealthPortWithoutTls) {
  auto server = StartServer("127.0.0.1:0", {}, {nullptr, "127.0.0.1:0"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto health_channel = MakeChannel(Address(server->health_port));
  EXPECT_EQ(CheckHealth(health_channel).value_or(HealthStatus::kUnknown),
            HealthStatus::kNotServing);
  server->SetServing(true);
  EXPECT_EQ(CheckHealth(health_channel).value_or(HealthStatus::kUnknown), HealthStatus::kServing);
  server->Shutdown(absl::Seconds(1));
}

TEST_F(TlsTest, HealthPortInUseIsAClearError) {
  auto first = StartServer("127.0.0.1:0", {}, {nullptr, "127.0.0.1:0"});
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = StartServer("127.0.0.1:0", {}, {nullptr, Address(first->health_port)});
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("--grpc_health_listen"));
  first->Shutdown(absl::Seconds(1));
}

TEST_F(TlsTest, UnusableFilesAreRefusedWithTheFlagToFix) {
  auto check = [](const TlsFiles& files) { return std::string(CheckTlsFiles(files).message()); };
  EXPECT_EQ(check({pki_.server.cert, pki_.server.key, pki_.ca.cert}), "");
  EXPECT_THAT(check({dir_.File("missing.crt"), pki_.server.key, pki_.ca.cert}),
              HasSubstr("--tls_cert_file"));
  EXPECT_THAT(check({pki_.server.cert, pki_.client.key, pki_.ca.cert}),
              HasSubstr("is not the key of --tls_cert_file"));
  EXPECT_THAT(check({pki_.server.cert, pki_.server.key, pki_.other_ca.cert}),
              HasSubstr("does not verify against --tls_ca_file"));
  EXPECT_THAT(check({pki_.server.key, pki_.server.key, pki_.ca.cert}),
              HasSubstr("holds no PEM certificate"));
}

TEST_F(TlsTest, FlagsNeedAllThreeFilesOrNone) {
  absl::SetFlag(&FLAGS_tls_cert_file, "");
  absl::SetFlag(&FLAGS_tls_key_file, "");
  absl::SetFlag(&FLAGS_tls_ca_file, "");
  absl::SetFlag(&FLAGS_grpc_health_listen, "127.0.0.1:0");
  auto plaintext = ServerOptionsFromFlags();
  ASSERT_TRUE(plaintext.ok()) << plaintext.status();
  EXPECT_EQ(plaintext->tls, nullptr);
  EXPECT_EQ(plaintext->health_listen, "127.0.0.1:0");

  absl::SetFlag(&FLAGS_tls_cert_file, pki_.server.cert);
  absl::SetFlag(&FLAGS_tls_key_file, pki_.server.key);
  auto partial = TlsFromFlags();
  ASSERT_FALSE(partial.ok());
  EXPECT_THAT(partial.status().message(), HasSubstr("but --tls_ca_file is not set"));

  absl::SetFlag(&FLAGS_tls_ca_file, pki_.ca.cert);
  auto tls = TlsFromFlags();
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_NE(*tls, nullptr);
  absl::SetFlag(&FLAGS_tls_cert_file, "");
  absl::SetFlag(&FLAGS_tls_key_file, "");
  absl::SetFlag(&FLAGS_tls_ca_file, "");
}

}  // namespace
}  // namespace hiresync::grpcutil
