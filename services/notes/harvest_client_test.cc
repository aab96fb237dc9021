// HarvestClient in this process against the real greenhouse-sandbox binary.
#include "services/notes/harvest_client.h"

#include <mutex>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/notes/notes_test_env.h"
#include "tests/support/recording_clock.h"

namespace hiresync::notes {
namespace {

using hiresync::testing::RecordingClock;
using hiresync::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace hiresync::notes::testenv;

class HarvestClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto greenhouse = Greenhouse::Start(dir_.File("greenhouse.log"));
    ASSERT_TRUE(greenhouse.ok()) << greenhouse.status();
    greenhouse_ = std::move(*greenhouse);
  }

  HarvestSettings Settings() {
    HarvestSettings settings;
    settings.connection_id = "demo";
    settings.client_id = kClientId;
    settings.client_secret = kClientSecret;
    settings.base_url = greenhouse_->BaseUrl();
    settings.token_url = greenhouse_->TokenUrl();
    settings.author_user_id = kAuthorId;
    settings.author_email = kAuthorEmail;
    return settings;
  }

  std::unique_ptr<HarvestClient> Client(const HarvestSettings& settings,
                                        HarvestOptions options = {}) {
    auto client = HarvestClient::Create(settings, clock_, options);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? std::move(*client) : nullptr;
  }

  TempDir dir_;
  std::unique_ptr<Greenhouse> greenhouse_;
  std::shared_ptr<RecordingClock> clock_ = std::make_shared<RecordingClock>();
};

TEST_F(HarvestClientTest, TokenIsCachedAndRenewedAfterItExpires) {
  auto client = Client(Settings());
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->VerifyAuthor().ok());
  ASSERT_TRUE(client->CreateNote(kCandidateId, "first", "admin_only").ok());
  ASSERT_TRUE(client->CreateNote(kCandidateId, "second", "admin_only").ok());
  EXPECT_EQ(greenhouse_->Count("POST", "/token"), 1);

  ASSERT_TRUE(greenhouse_->Fault({{"expire_tokens", true}}).ok());
  auto third = client->CreateNote(kCandidateId, "third", "admin_only");
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(greenhouse_->Count("POST", "/token"), 2);
  // The refused call and its retry with the new token.
  EXPECT_EQ(greenhouse_->Count("POST", "/v3/notes"), 4);
  EXPECT_EQ(greenhouse_->Notes(kCandidateId).size(), 3u);
}

TEST_F(HarvestClientTest, A429IsWaitedOutAndSentOnce) {
  auto client = Client(Settings());
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(
      greenhouse_->Fault({{"method", "POST"}, {"path", "/v3/notes"}, {"status", 429}, {"count", 1}})
          .ok());
  auto note = client->CreateNote(kCandidateId, "after a 429", "admin_only");
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_EQ(greenhouse_->Count("POST", "/v3/notes"), 2);
  EXPECT_EQ(greenhouse_->Notes(kCandidateId).size(), 1u);
  std::vector<absl::Duration> sleeps = clock_->sleeps();
  ASSERT_EQ(sleeps.size(), 1u);
  // The sandbox's Retry-After: 1, less the moments since the answer.
  EXPECT_GT(sleeps[0], absl::Milliseconds(900));
  EXPECT_LE(sleeps[0], absl::Seconds(1));
}

TEST_F(HarvestClientTest, EndlessRateLimitingIsUnavailableAfterThreeRetries) {
  auto client = Client(Settings());
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(
      greenhouse_
          ->Fault({{"method", "POST"}, {"path", "/v3/notes"}, {"status", 429}, {"count", 10}})
          .ok());
  auto note = client->CreateNote(kCandidateId, "never", "admin_only");
  ASSERT_FALSE(note.ok());
  EXPECT_EQ(note.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(note.status().message(), HasSubstr("rate limiting"));
  EXPECT_EQ(greenhouse_->Count("POST", "/v3/notes"), 4);
  EXPECT_EQ(clock_->sleeps().size(), 3u);
}

TEST_F(HarvestClientTest, AnAlmostUsedWindowIsWaitedForBeforeTheNextCall) {
  ASSERT_TRUE(greenhouse_->Seed({{"rate_limit", {{"limit", 3}, {"window_seconds", 30}}}}).ok());
  auto client = Client(Settings());
  ASSERT_NE(client, nullptr);
  // /token and GET /v3/users leave one call in the window: the list waits for the reset.
  ASSERT_TRUE(client->VerifyAuthor().ok());
  EXPECT_TRUE(clock_->sleeps().empty());
  auto notes = client->ListNotes(kCandidateId);
  ASSERT_TRUE(notes.ok()) << notes.status();
  std::vector<absl::Duration> sleeps = clock_->sleeps();
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_GT(sleeps[0], absl::ZeroDuration());
  EXPECT_LE(sleeps[0], absl::Seconds(31));
}

TEST_F(HarvestClientTest, A503IsUnavailableAndNotRepeated) {
  auto client = Client(Settings());
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(
      greenhouse_->Fault({{"method", "POST"}, {"path", "/v3/notes"}, {"status", 503}, {"count", 1}})
          .ok());
  auto note = client->CreateNote(kCandidateId, "x", "admin_only");
  ASSERT_FALSE(note.ok());
  EXPECT_EQ(note.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(greenhouse_->Count("POST", "/v3/notes"), 1);
  EXPECT_TRUE(greenhouse_->Notes(kCandidateId).empty());
}

TEST_F(HarvestClientTest, VisibilityAndAuthorAreSent) {
  auto client = Client(Settings());
  ASSERT_NE(client, nullptr);
  auto note = client->CreateNote(kCandidateId, "private words", "private");
  ASSERT_TRUE(note.ok()) << note.status();
  Json notes = greenhouse_->Notes(kCandidateId);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0]["visibility"], "private");
  EXPECT_EQ(notes[0]["user_id"], kAuthorId);
  EXPECT_EQ(notes[0]["body"], "private words");
  EXPECT_EQ(notes[0]["id"], note->id);
}

TEST_F(HarvestClientTest, NotesAreListedAcrossPages) {
  HarvestOptions options;
  options.notes_per_page = 2;
  auto client = Client(Settings(), options);
  ASSERT_NE(client, nullptr);
  for (const char* body : {"one", "two", "three"}) {
    ASSERT_TRUE(client->CreateNote(kCandidateId, body, "admin_only").ok());
  }
  auto notes = client->ListNotes(kCandidateId);
  ASSERT_TRUE(notes.ok()) << notes.status();
  ASSERT_EQ(notes->size(), 3u);
  EXPECT_EQ((*notes)[0].body, "one");
  EXPECT_EQ((*notes)[2].body, "three");
  EXPECT_EQ(greenhouse_->Count("GET", "/v3/notes"), 2);
}

TEST_F(HarvestClientTest, UnknownCandidateIsInvalidArgumentWithHarvestsMessage) {
  auto client = Client(Settings());
  ASSERT_NE(client, nullptr);
  auto note = client->CreateNote(1, "x", "admin_only");
  ASSERT_FALSE(note.ok());
  EXPECT_EQ(note.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(note.status().message(), HasSubstr("422"));
  EXPECT_THAT(note.status().message(), HasSubstr("candidate_id"));
}

TEST_F(HarvestClientTest, MissingScopeSaysWhichScopeToAdd) {
  HarvestSettings settings = Settings();
  settings.client_id = kReadOnlyClientId;
  settings.client_secret = kReadOnlySecret;
  auto client = Client(settings);
  ASSERT_NE(client, nullptr);
  auto note = client->CreateNote(kCandidateId, "x", "admin_only");
  ASSERT_FALSE(note.ok());
  EXPECT_EQ(note.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(note.status().message(),
              HasSubstr("the Harvest credential lacks scope harvest:notes:create: edit the API "
                        "credential in Greenhouse"));
}

TEST_F(HarvestClientTest, BadSecretIsFailedPreconditionWithoutTheSecret) {
  HarvestSettings settings = Settings();
  settings.client_secret = "not-the-secret";
  auto client = Client(settings);
  ASSERT_NE(client, nullptr);
  absl::Status status = client->CheckToken();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("harvest_client_secret"));
  EXPECT_THAT(status.message(), Not(HasSubstr("not-the-secret")));
}

TEST_F(HarvestClientTest, UnknownAuthorIdIsAClearError) {
  HarvestSettings settings = Settings();
  settings.author_user_id = 999;
  auto client = Client(settings);
  ASSERT_NE(client, nullptr);
  absl::Status status = client->CheckToken();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("note_author_user_id (999)"));
  EXPECT_THAT(status.message(), Not(HasSubstr(kClientId)));
}

TEST_F(HarvestClientTest, AuthorEmailMustBelongToTheAuthorId) {
  HarvestSettings settings = Settings();
  settings.author_email = kOtherEmail;
  auto other = Client(settings);
  ASSERT_NE(other, nullptr);
  absl::Status status = other->VerifyAuthor();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("is Greenhouse user 789"));

  settings.author_email = "nobody@acme.test";
  auto nobody = Client(settings);
  ASSERT_NE(nobody, nullptr);
  status = nobody->VerifyAuthor();
  EXPECT_THAT(status.message(),
              HasSubstr("the note author nobody@acme.test is not a Greenhouse user: set "
                        "greenhouse.note_author_email to a Site Admin's email"));

  // A verified author is remembered: one users lookup for many calls.
  auto good = Client(Settings());
  ASSERT_NE(good, nullptr);
  int before = greenhouse_->Count("GET", "/v3/users");
  ASSERT_TRUE(good->VerifyAuthor().ok());
  ASSERT_TRUE(good->VerifyAuthor().ok());
  EXPECT_EQ(greenhouse_->Count("GET", "/v3/users"), before + 1);
}

TEST(HarvestClientCreateTest, MissingCredentialsAreRefused) {
  HarvestSettings settings;
  settings.connection_id = "x";
  auto client = HarvestClient::Create(settings, std::make_shared<time::RealClock>());
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(client.status().message(), HasSubstr("has no Harvest v3 credentials"));
}

}  // namespace
}  // namespace hiresync::notes
