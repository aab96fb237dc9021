// Outbound HTTPS from writer and notes: goco-sandbox and greenhouse-sandbox serve HTTPS with
// certificates made by openssl; with --ca_bundle = the test CA the calls work, with the
// system's trust store (or a certificate for another host) they fail saying what to set.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/time/clock.h"
#include "httplib.h"
#include "services/writer/attachment_fetcher.h"
#include "services/writer/goco_client.h"
#include "tests/integration/stack.h"
#include "tests/support/certs.h"

namespace hiresync::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct HttpsSandbox {
  int port = 0;
  std::unique_ptr<Process> process;
  std::string Url() const { return absl::StrCat("https://127.0.0.1:", port); }
};

// Starts a sandbox serving HTTPS with `cert` and waits until it answers (the wait does not
// verify the certificate: the tests do).
HttpsSandbox StartHttpsSandbox(const std::string& binary, std::vector<std::string> args,
                               const CertFiles& cert, const std::string& log) {
  HttpsSandbox sandbox;
  sandbox.port = FreePort();
  args.insert(args.end(), {"--host", "127.0.0.1", "--port", std::to_string(sandbox.port),
                           "--tls-cert-file", cert.cert, "--tls-key-file", cert.key});
  auto process = Process::Start(BinDir() + "/" + binary, args, {}, log);
  EXPECT_TRUE(process.ok()) << process.status();
  if (!process.ok()) return sandbox;
  sandbox.process = std::move(*process);
  bool up = WaitFor([&] {
    httplib::Client client(sandbox.Url());
    client.enable_server_certificate_verification(false);
    client.set_connection_timeout(0, 200 * 1000);
    auto res = client.Get("/_sandbox/healthz");
    return res && res->status == 200;
  });
  EXPECT_TRUE(up) << binary << ": " << sandbox.process->Log();
  return sandbox;
}

class HttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pki = MakeTestPki(certs_.path());
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = *pki;
    // The stack's files (secrets, Greenhouse seed); its processes are not started.
    std::string dir = stack_.ConfigPath().substr(0, stack_.ConfigPath().rfind('/'));
    goco_ = StartHttpsSandbox("goco-sandbox",
                              {"--company", "demo", "--api-key-file", dir + "/goco-key"},
                              pki_.server, certs_.File("goco.log"));
    greenhouse_ =
        StartHttpsSandbox("greenhouse-sandbox", {"serve", "--seed", dir + "/greenhouse-seed.json"},
                          pki_.server, certs_.File("greenhouse.log"));
    ASSERT_FALSE(HasFailure());
    nlohmann::json config = stack_.Config();
    nlohmann::json& demo = config["connections"][0];
    demo["greenhouse"]["harvest_base_url"] = greenhouse_.Url() + "/v3";
    demo["greenhouse"]["token_url"] = greenhouse_.Url() + "/token";
    demo["goco"]["base_url"] = goco_.Url() + "/v1/companies/demo";
    config_path_ = certs_.File("config.json");
    WriteFile(config_path_, config.dump(2));
  }

  // Runs hiresync-notes --check_connection demo with `extra` flags.
  std::pair<int, std::string> CheckConnection(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--config", config_path_, "--check_connection", "demo"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto notes = Process::Start(BinDir() + "/hiresync-notes", args, {}, certs_.File("check.log"));
    EXPECT_TRUE(notes.ok()) << notes.status();
    if (!notes.ok()) return {-1, ""};
    int code = (*notes)->Wait(absl::Seconds(60));
    return {code, (*notes)->Log()};
  }

  std::string UploadAttachment() {
    httplib::Client client(greenhouse_.Url());
    client.set_ca_cert_path(pki_.ca.cert);
    auto put = client.Put("/_sandbox/attachments/resume.pdf", "%PDF-1.4 test", "application/pdf");
    EXPECT_TRUE(put && put->status == 200);
    auto url = client.Post("/_sandbox/attachments/resume.pdf/url", "{}", "application/json");
    EXPECT_TRUE(url && url->status == 200);
    return url ? nlohmann::json::parse(url->body)["url"].get<std::string>() : "";
  }

  TempDir certs_;
  TestPki pki_;
  Stack stack_;
  HttpsSandbox goco_, greenhouse_;
  std::string config_path_;
};

TEST_F(HttpsTest, NotesConnectionCheckVerifiesWithTheCaBundle) {
  auto [code, output] = CheckConnection({"--ca_bundle=" + pki_.ca.cert});
  EXPECT_EQ(code, 0) << output;
  EXPECT_THAT(output, HasSubstr("OK   harvest token"));
  EXPECT_THAT(output, HasSubstr("OK   goco api key"));
}

TEST_F(HttpsTest, NotesConnectionCheckRefusesAnUntrustedCertificate) {
  auto [code, output] = CheckConnection({});
  EXPECT_EQ(code, 1) << output;
  EXPECT_THAT(output, HasSubstr("FAIL harvest token: Greenhouse's TLS certificate could not be "
                                "verified at " +
                                greenhouse_.Url()));
  EXPECT_THAT(output, HasSubstr("FAIL goco api key: GoCo's TLS certificate could not be verified"));
  EXPECT_THAT(output, HasSubstr("the system's trust store"));
  EXPECT_THAT(output, HasSubstr("set --ca_bundle"));
  // Nothing reached the sandboxes' API: the handshake stopped first.
  EXPECT_THAT(goco_.process->Log(), Not(HasSubstr("/departments")));
}

TEST_F(HttpsTest, GoCoClientVerifiesTheServer) {
  auto clock = std::make_shared<time::RealClock>();
  writer::GoCoClientOptions trusted;
  trusted.ca_bundle = pki_.ca.cert;
  std::string base = goco_.Url() + "/v1/companies/demo";
  auto client = writer::GoCoClient::Create(base, "test-goco-key", clock, trusted);
  ASSERT_TRUE(client.ok()) << client.status();
  auto departments = (*client)->ListCatalog(writer::CatalogKind::kDepartment);
  EXPECT_TRUE(departments.ok()) << departments.status();

  auto untrusting = writer::GoCoClient::Create(base, "test-goco-key", clock, {});
  ASSERT_TRUE(untrusting.ok()) << untrusting.status();
  auto refused = (*untrusting)->ListCatalog(writer::CatalogKind::kDepartment);
  ASSERT_FALSE(refused.ok());
  // Transient: retried, so no hire is lost while the operator fixes the trust.
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("GoCo's TLS certificate could not be verified"));
  EXPECT_THAT(refused.status().message(), HasSubstr("set --ca_bundle"));
}

TEST_F(HttpsTest, AttachmentDownloadVerifiesTheServer) {
  std::string url = UploadAttachment();
  ASSERT_EQ(url.rfind("https://", 0), 0u) << url;
  writer::AttachmentFetcherOptions trusted;
  trusted.ca_bundle = pki_.ca.cert;
  auto bytes = writer::AttachmentFetcher(trusted).Fetch(url);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes, "%PDF-1.4 test");

  auto refused = writer::AttachmentFetcher().Fetch(url);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("the attachment server's TLS certificate could not be verified"));
}

TEST_F(HttpsTest, CertificateForAnotherHostIsRefused) {
  auto elsewhere = MakeCert(certs_.path(), "elsewhere", pki_.ca, "DNS:goco.elsewhere.test");
  ASSERT_TRUE(elsewhere.ok()) << elsewhere.status();
  HttpsSandbox other = StartHttpsSandbox("goco-sandbox", {"--company", "demo"}, *elsewhere,
                                         certs_.File("other.log"));
  ASSERT_FALSE(HasFailure());
  writer::GoCoClientOptions trusted;
  trusted.ca_bundle = pki_.ca.cert;
  auto client = writer::GoCoClient::Create(other.Url() + "/v1/companies/demo", "key",
                                           std::make_shared<time::RealClock>(), trusted);
  ASSERT_TRUE(client.ok()) << client.status();
  auto refused = (*client)->ListCatalog(writer::CatalogKind::kDepartment);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("it does not name the host"));
}

TEST(HttpsFlagsTest, UnreadableCaBundleStopsWriterAndNotes) {
  TempDir dir;
  WriteFile(dir.File("config.json"), R"({"connections": []})");
  WriteFile(dir.File("not-pem"), "hello\n");
  for (const std::string binary : {"hiresync-writer", "hiresync-notes"}) {
    for (const auto& [bundle, expected] : std::vector<std::pair<std::string, std::string>>{
             {dir.File("missing.pem"), "cannot be read"}, {dir.File("not-pem"), "holds no PEM"}}) {
      auto process = Process::Start(
          BinDir() + "/" + binary,
          {"--config", dir.File("config.json"), "--ledger", dir.File(binary + ".db"),
           "--grpc_listen=127.0.0.1:0", "--admin_listen_port=0", "--ca_bundle=" + bundle},
          {}, dir.File(binary + ".log"));
      ASSERT_TRUE(process.ok()) << process.status();
      EXPECT_NE((*process)->Wait(), 0) << binary;
      EXPECT_THAT((*process)->Log(), HasSubstr("--ca_bundle " + bundle + " " + expected)) << binary;
    }
  }
}

}  // namespace
}  // namespace hiresync::testing
