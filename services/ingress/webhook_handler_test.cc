#include "services/ingress/webhook_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/metrics/metrics.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "services/ingress/webhook_server.h"
#include "tests/support/process.h"

namespace hiresync::ingress {
namespace {

using hiresync::testing::FixturesDir;
using hiresync::testing::ReadFile;
using hiresync::testing::TempDir;
using hiresync::testing::WriteFile;

// Computed independently:
//   printf '%s' '{"action":"ping","payload":{"web_hook_id":1}}' | openssl dgst -sha256 -hmac 'demo-secret'
constexpr char kPingBody[] = R"({"action":"ping","payload":{"web_hook_id":1}})";
constexpr char kPingSignature[] =
    "sha256 3906241853ed833d4543ed4b11592a7bb9d6d436e2439af81dd6c17373c6a36b";

TEST(SignatureTest, MatchesOpensslVector) {
  EXPECT_EQ(WebhookHandler::Sign("demo-secret", kPingBody), kPingSignature);
  EXPECT_TRUE(WebhookHandler::VerifySignature("demo-secret", kPingSignature, kPingBody));
}

TEST(SignatureTest, RejectsWrongFormsAndValues) {
  std::string hex = std::string(kPingSignature).substr(7);
  EXPECT_FALSE(WebhookHandler::VerifySignature("demo-secret", "sha256=" + hex, kPingBody));
  EXPECT_FALSE(WebhookHandler::VerifySignature("demo-secret", hex, kPingBody));
  EXPECT_FALSE(WebhookHandler::VerifySignature("demo-secret", "sha256  " + hex, kPingBody));
  EXPECT_FALSE(WebhookHandler::VerifySignature("other-secret", kPingSignature, kPingBody));
  EXPECT_FALSE(WebhookHandler::VerifySignature("demo-secret", kPingSignature,
                                               std::string(kPingBody) + " "));
  EXPECT_FALSE(WebhookHandler::VerifySignature("demo-secret", "sha256 ", kPingBody));
  std::string upper = hex;
  for (auto& c : upper) c = static_cast<char>(toupper(c));
  EXPECT_FALSE(WebhookHandler::VerifySignature("demo-secret", "sha256 " + upper, kPingBody));
}

class WebhookHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.File("secret"), "demo-secret\n");
    WriteFile(dir_.File("key"), "goco-key");
    std::string conn = [&](const std::string& id, const std::string& state) {
      return R"({"id": ")" + id + R"(", "state": ")" + state + R"(", "webhook_secret": {"file": ")" +
             dir_.File("secret") + R"("}, "goco": {"base_url": "http://127.0.0.1:1/v1/companies/x", "api_key": {"file": ")" +
             dir_.File("key") + R"("}}})";
    }("demo", "ACTIVE");
    std::string paused = conn;
    paused.replace(paused.find("\"demo\""), 6, "\"sleepy\"");
    paused.replace(paused.find("ACTIVE"), 6, "PAUSED");
    std::string disabled = conn;
    disabled.replace(disabled.find("\"demo\""), 6, "\"gone\"");
    disabled.replace(disabled.find("ACTIVE"), 6, "DISABLED");
    auto parsed = config::Parse(R"({"connections": [)" + conn + "," + paused + "," + disabled + "]}", "t");
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    connections_ = *parsed;
    auto inbox = store::OpenSqliteInbox(dir_.File("inbox.db"));
    ASSERT_TRUE(inbox.ok());
    inbox_ = std::move(*inbox);
    handler_ = std::make_unique<WebhookHandler>([this] { return connections_; }, inbox_.get(),
                                                1024 * 1024, [this](int64_t id) { woken_.push_back(id); });
    hire_ = ReadFile(FixturesDir() + "/hire_candidate.json");
    ASSERT_FALSE(hire_.empty());
  }

  WebhookResponse Send(const std::string& body, const std::string& conn = "demo",
                       const std::string& event_id = "", const std::string& secret = "demo-secret") {
    return handler_->Handle({conn, WebhookHandler::Sign(secret, body), event_id, body});
  }
  int64_t Stored() { return *inbox_->Count(std::nullopt); }

  TempDir dir_;
  std::shared_ptr<const config::Connections> connections_;
  std::unique_ptr<store::Inbox> inbox_;
  std::unique_ptr<WebhookHandler> handler_;
  std::vector<int64_t> woken_;
  std::string hire_;
};

TEST_F(WebhookHandlerTest, StoresAHireAndWakesTheDispatcher) {
  auto res = Send(hire_, "demo", "evt-1");
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.outcome, "accepted");
  ASSERT_EQ(Stored(), 1);
  auto event = *inbox_->Get(res.event_id);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->event.delivery_id(), "evt-1");
  EXPECT_EQ(event->event.raw_payload(), hire_);
  EXPECT_EQ(event->event.application().candidate().first_name(), "Johnny");
  EXPECT_EQ(event->candidate_id, 35897443);
  EXPECT_EQ(woken_, std::vector<int64_t>{res.event_id});
}

TEST_F(WebhookHandlerTest, SameDeliveryOrSameBodyIsStoredOnce) {
  EXPECT_EQ(Send(hire_, "demo", "evt-1").outcome, "accepted");
  auto again = Send(hire_, "demo", "evt-1");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.outcome, "duplicate");
  auto other_id = Send(hire_, "demo", "evt-2");
  EXPECT_EQ(other_id.status, 200);
  EXPECT_EQ(other_id.outcome, "duplicate");
  auto no_id = Send(hire_, "demo", "");
  EXPECT_EQ(no_id.outcome, "duplicate");
  EXPECT_EQ(Stored(), 1);
}

TEST_F(WebhookHandlerTest, AnUnusableEventIdFallsBackToTheBodyHash) {
  auto res = Send(hire_, "demo", std::string("\x85\xff bad id"));
  ASSERT_EQ(res.status, 200) << res.body;
  auto event = *inbox_->Get(res.event_id);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->event.delivery_id().rfind("sha256:", 0), 0u) << event->event.delivery_id();
  EXPECT_EQ(event->event.application().candidate().id(), 35897443);
}

TEST_F(WebhookHandlerTest, RefusesBadInputAndStoresNothing) {
  auto unknown = Send(hire_, "nope");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Send(hire_, "gone").status, 404);
  auto bad_sig = Send(hire_, "demo", "", "wrong-secret");
  EXPECT_EQ(bad_sig.status, 401);
  auto missing_sig = handler_->Handle({"demo", "", "", hire_});
  EXPECT_EQ(missing_sig.status, 401);
  EXPECT_NE(missing_sig.body.find("Signature header is missing"), std::string::npos);
  auto malformed = Send(R"({"action": "hire_candidate", "payload": )");
  EXPECT_EQ(malformed.status, 400);
  auto body = nlohmann::json::parse(malformed.body);
  EXPECT_EQ(body["error"]["code"], "malformed");
  auto no_candidate = Send(R"({"action": "hire_candidate", "payload": {"application": {"id": 1}}})");
  EXPECT_EQ(no_candidate.status, 400);
  EXPECT_NE(no_candidate.body.find("candidate"), std::string::npos);
  auto huge = Send(std::string(1024 * 1024 + 1, ' '));
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(Stored(), 0);
  EXPECT_TRUE(woken_.empty());
}

TEST_F(WebhookHandlerTest, PingAndOtherActionsAreAnsweredNotStored) {
  EXPECT_EQ(Send(ReadFile(FixturesDir() + "/ping.json")).outcome, "ping");
  for (const char* name : {"candidate_stage_change", "offer_created", "reject_candidate",
                           "unhire_candidate", "update_candidate"}) {
    auto res = Send(ReadFile(FixturesDir() + "/" + name + ".json"));
    EXPECT_EQ(res.status, 200) << name;
    EXPECT_EQ(res.outcome, "ignored") << name;
  }
  EXPECT_EQ(Stored(), 0);
}

TEST_F(WebhookHandlerTest, PausedConnectionStoresWithoutWaking) {
  auto res = Send(hire_, "sleepy");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.outcome, "accepted");
  EXPECT_NE(res.body.find("paused"), std::string::npos);
  EXPECT_EQ(Stored(), 1);
  EXPECT_TRUE(woken_.empty());
}

TEST_F(WebhookHandlerTest, ServerCountsDeliveriesByConfiguredConnectionAndOutcome) {
  WebhookServer server(handler_.get(), {.host = "127.0.0.1", .port = 0});
  ASSERT_TRUE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());
  auto post = [&](const std::string& conn, const std::string& secret) {
    httplib::Headers headers = {{"Signature", WebhookHandler::Sign(secret, kPingBody)}};
    auto res = client.Post(("/v1/webhooks/greenhouse/" + conn).c_str(), headers, kPingBody,
                           "application/json");
    return res ? res->status : 0;
  };
  EXPECT_EQ(post("demo", "demo-secret"), 200);
  EXPECT_EQ(post("demo", "wrong-secret"), 401);
  EXPECT_EQ(post("demo", "wrong-secret"), 401);
  EXPECT_EQ(post("made-up-connection", "demo-secret"), 404);
  server.Stop();

  using ::testing::HasSubstr;
  using ::testing::Not;
  std::string text = metrics::Serialize();
  EXPECT_THAT(text, HasSubstr(R"(hiresync_webhooks_received_total{connection="demo",outcome="ping"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(hiresync_webhooks_received_total{connection="demo",outcome="bad_signature"} 2)"));
  EXPECT_THAT(text, HasSubstr(R"(hiresync_webhooks_received_total{connection="unknown",outcome="unknown_connection"} 1)"));
  // Configured connections' series exist from the start, at 0, for increase() in alerts.
  EXPECT_THAT(text, HasSubstr(R"(hiresync_webhooks_received_total{connection="demo",outcome="accepted"} 0)"));
  EXPECT_THAT(text, HasSubstr(R"(hiresync_webhooks_received_total{connection="sleepy",outcome="bad_signature"} 0)"));
  // A URL's made-up id never becomes a label value.
  EXPECT_THAT(text, Not(HasSubstr("made-up-connection")));
}

}  // namespace
}  // namespace hiresync::ingress
