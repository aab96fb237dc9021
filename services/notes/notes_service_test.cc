// The real hiresync-notes binary against the real greenhouse-sandbox (and goco-sandbox
// for --check_connection), over gRPC.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hiresync/v1/notes.grpc.pb.h"
#include "services/notes/notes_test_env.h"
#include "tests/support/http.h"
#include "tests/support/process.h"

namespace hiresync::notes {
namespace {

using hiresync::testing::BinDir;
using hiresync::testing::FreePort;
using hiresync::testing::Process;
using hiresync::testing::TempDir;
using hiresync::v1::PostNoteRequest;
using hiresync::v1::PostNoteResponse;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace hiresync::notes::testenv;

class NotesServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto greenhouse = Greenhouse::Start(dir_.File("greenhouse.log"));
    ASSERT_TRUE(greenhouse.ok()) << greenhouse.status();
    greenhouse_ = std::move(*greenhouse);
    config_ = WriteConfig(dir_, *greenhouse_, "http://127.0.0.1:1/v1/companies/demo");
    StartNotes();
  }

  void StartNotes() {
    grpc_port_ = FreePort();
    admin_port_ = FreePort();
    auto process = Process::Start(BinDir() + "/hiresync-notes",
                                  {"--config=" + config_, "--ledger=" + dir_.File("notes.db"),
                                   absl::StrCat("--grpc_listen=127.0.0.1:", grpc_port_),
                                   absl::StrCat("--admin_listen_port=", admin_port_)},
                                  {}, dir_.File(absl::StrCat("notes-", ++starts_, ".log")));
    ASSERT_TRUE(process.ok()) << process.status();
    notes_ = std::move(*process);
    ASSERT_TRUE(hiresync::testing::WaitForHttp(admin_port_, "/readyz")) << notes_->Log();
    stub_ = v1::Notes::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", grpc_port_),
                                                   grpc::InsecureChannelCredentials()));
  }

  grpc::Status Post(const PostNoteRequest& request, PostNoteResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return stub_->Post(&context, request, response);
  }

  std::string Metrics() {
    hiresync::testing::HttpReply reply =
        hiresync::testing::HttpCall(admin_port_, "GET", "/metrics");
    return reply.status == 200 ? reply.body : "";
  }

  static PostNoteRequest Request(const std::string& connection, const std::string& event_id) {
    PostNoteRequest request;
    request.set_connection_id(connection);
    request.set_candidate_id(kCandidateId);
    request.set_event_id(event_id);
    request.set_kind(PostNoteRequest::NOT_SYNCED);
    v1::Problem* problem = request.add_problems();
    problem->set_severity(v1::Problem::ERROR);
    problem->set_code("missing_first_name");
    problem->set_field("first_name");
    problem->set_message("The candidate has no first name in Greenhouse.");
    return request;
  }

  TempDir dir_;
  std::unique_ptr<Greenhouse> greenhouse_;
  std::string config_;
  int grpc_port_ = 0;
  int admin_port_ = 0;
  int starts_ = 0;
  std::unique_ptr<Process> notes_;
  std::unique_ptr<v1::Notes::Stub> stub_;
};

TEST_F(NotesServiceTest, WritesTheNoteOnceWithTheConnectionsVisibility) {
  PostNoteResponse first;
  grpc::Status status = Post(Request("demo", "demo/17"), &first);
  ASSERT_TRUE(status.ok()) << status.error_message() << notes_->Log();
  EXPECT_GT(first.note_id(), 0);
  EXPECT_FALSE(first.already_posted());
  EXPECT_THAT(first.body(), StartsWith("[hiresync → GoCo] Not synced to GoCo"));
  EXPECT_THAT(first.body(), EndsWith("hiresync event demo/17"));

  Json notes = greenhouse_->Notes(kCandidateId);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0]["id"], first.note_id());
  EXPECT_EQ(notes[0]["visibility"], "public");
  EXPECT_EQ(notes[0]["user_id"], kAuthorId);
  EXPECT_EQ(notes[0]["body"], first.body());

  PostNoteResponse again;
  ASSERT_TRUE(Post(Request("demo", "demo/17"), &again).ok());
  EXPECT_TRUE(again.already_posted());
  EXPECT_EQ(again.note_id(), first.note_id());
  EXPECT_EQ(greenhouse_->Count("POST", "/v3/notes"), 1);

  PostNoteResponse private_note;
  ASSERT_TRUE(Post(Request("private_notes", "private_notes/1"), &private_note).ok());
  notes = greenhouse_->Notes(kCandidateId);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[1]["visibility"], "private");

  std::string metrics = Metrics();
  EXPECT_THAT(metrics, HasSubstr("hiresync_notes_written_total{connection=\"demo\","
                                 "kind=\"not_synced\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("hiresync_notes_written_total{connection=\"private_notes\","
                                 "kind=\"not_synced\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("hiresync_harvest_requests_total{route=\"POST /v3/notes\","
                                 "status_class=\"2xx\"} 2"));
  EXPECT_THAT(metrics, HasSubstr("hiresync_harvest_request_seconds_count{route=\"POST "
                                 "/v3/notes\"} 2"));
  // Neither note bodies, tokens, secrets nor emails reach the log.
  std::string log = notes_->Log();
  EXPECT_THAT(log, HasSubstr("\"msg\":\"note posted\""));
  EXPECT_THAT(log, Not(HasSubstr("first name")));
  EXPECT_THAT(log, Not(HasSubstr(kClientSecret)));
  EXPECT_THAT(log, Not(HasSubstr(kAuthorEmail)));
}

TEST_F(NotesServiceTest, TheLedgerSurvivesARestart) {
  PostNoteResponse first;
  ASSERT_TRUE(Post(Request("demo", "demo/5"), &first).ok());
  stub_.reset();
  notes_->Signal(SIGTERM);
  ASSERT_EQ(notes_->Wait(), 0) << notes_->Log();
  StartNotes();
  PostNoteResponse again;
  ASSERT_TRUE(Post(Request("demo", "demo/5"), &again).ok());
  EXPECT_TRUE(again.already_posted());
  EXPECT_EQ(again.note_id(), first.note_id());
  EXPECT_EQ(greenhouse_->Count("POST", "/v3/notes"), 1);
}

TEST_F(NotesServiceTest, ANoteWhoseAnswerWasLostIsFoundNotWrittenAgain) {
  ASSERT_TRUE(greenhouse_
                  ->Fault({{"method", "POST"},
                           {"path", "/v3/notes"},
                           {"drop_after_commit", true},
                           {"count", 1}})
                  .ok());
  PostNoteResponse lost;
  grpc::Status status = Post(Request("demo", "demo/21"), &lost);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  ASSERT_EQ(greenhouse_->Notes(kCandidateId).size(), 1u);

  PostNoteResponse retried;
  status = Post(Request("demo", "demo/21"), &retried);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(retried.already_posted());
  Json notes = greenhouse_->Notes(kCandidateId);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(retried.note_id(), notes[0]["id"]);
  EXPECT_EQ(greenhouse_->Count("POST", "/v3/notes"), 1);
  EXPECT_GE(greenhouse_->Count("GET", "/v3/notes"), 1);

  // Another event of the same candidate is its own note (its marker differs).
  PostNoteResponse other;
  ASSERT_TRUE(Post(Request("demo", "demo/2"), &other).ok());
  EXPECT_FALSE(other.already_posted());
  EXPECT_EQ(greenhouse_->Notes(kCandidateId).size(), 2u);
}

TEST_F(NotesServiceTest, A429IsHonouredAndTheNoteWrittenOnce) {
  ASSERT_TRUE(
      greenhouse_->Fault({{"method", "POST"}, {"path", "/v3/notes"}, {"status", 429}, {"count", 1}})
          .ok());
  PostNoteResponse response;
  grpc::Status status = Post(Request("demo", "demo/30"), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(greenhouse_->Count("POST", "/v3/notes"), 2);
  EXPECT_EQ(greenhouse_->Notes(kCandidateId).size(), 1u);
  EXPECT_THAT(Metrics(), HasSubstr("hiresync_harvest_requests_total{route=\"POST /v3/notes\","
                                   "status_class=\"4xx\"} 1"));
}

TEST_F(NotesServiceTest, AnExpiredTokenIsRenewedOnce) {
  PostNoteResponse response;
  ASSERT_TRUE(Post(Request("demo", "demo/40"), &response).ok());
  ASSERT_TRUE(greenhouse_->Fault({{"expire_tokens", true}}).ok());
  grpc::Status status = Post(Request("demo", "demo/41"), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(greenhouse_->Count("POST", "/token"), 2);
  EXPECT_EQ(greenhouse_->Notes(kCandidateId).size(), 2u);
}

TEST_F(NotesServiceTest, HarvestDownIsUnavailable) {
  ASSERT_TRUE(
      greenhouse_->Fault({{"method", "POST"}, {"path", "/v3/notes"}, {"status", 503}, {"count", 1}})
          .ok());
  PostNoteResponse response;
  grpc::Status status = Post(Request("demo", "demo/50"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  // The caller's retry writes it.
  status = Post(Request("demo", "demo/50"), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.already_posted());
  EXPECT_EQ(greenhouse_->Notes(kCandidateId).size(), 1u);
}

TEST_F(NotesServiceTest, ConnectionProblemsAreFailedPreconditionWithTheFix) {
  struct Case {
    std::string connection;
    std::string says;
  };
  std::vector<Case> cases = {
      {"no_harvest", "has no Harvest v3 credentials"},
      {"nowhere", "is not in the notes service's connections file"},
      {"bad_secret", "check greenhouse.harvest_client_id and harvest_client_secret"},
      {"read_only",
       "the Harvest credential lacks scope harvest:notes:create: edit the API "
       "credential in Greenhouse"},
      {"other_author", "is Greenhouse user 789"},
      {"no_author_id", "has no greenhouse.note_author_user_id"},
  };
  for (const Case& c : cases) {
    PostNoteResponse response;
    grpc::Status status = Post(Request(c.connection, c.connection + "/1"), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << c.connection;
    EXPECT_THAT(status.error_message(), HasSubstr(c.says)) << c.connection;
  }
  EXPECT_TRUE(greenhouse_->Notes(kCandidateId).empty());
}

TEST_F(NotesServiceTest, MalformedRequestIsInvalidArgument) {
  PostNoteRequest request = Request("demo", "");
  PostNoteResponse response;
  grpc::Status status = Post(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("event_id"));
}

TEST_F(NotesServiceTest, SigtermStopsCleanly) {
  notes_->Signal(SIGTERM);
  EXPECT_EQ(notes_->Wait(), 0);
  EXPECT_THAT(notes_->Log(), HasSubstr("\"msg\":\"notes stopped\""));
}

class CheckConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto greenhouse = Greenhouse::Start(dir_.File("greenhouse.log"));
    ASSERT_TRUE(greenhouse.ok()) << greenhouse.status();
    greenhouse_ = std::move(*greenhouse);
    auto goco = GoCo::Start(dir_);
    ASSERT_TRUE(goco.ok()) << goco.status();
    goco_ = std::move(*goco);
    config_ = WriteConfig(dir_, *greenhouse_, goco_->BaseUrl());
  }

  // Runs the check; returns the exit code and fills `output`.
  int Check(const std::string& id, std::string* output) {
    auto process = Process::Start(BinDir() + "/hiresync-notes",
                                  {"--config=" + config_, "--check_connection=" + id}, {},
                                  dir_.File("check-" + id + ".log"));
    EXPECT_TRUE(process.ok()) << process.status();
    if (!process.ok()) return -1;
    int code = (*process)->Wait(absl::Seconds(60));
    *output = (*process)->Log();
    return code;
  }

  TempDir dir_;
  std::unique_ptr<Greenhouse> greenhouse_;
  std::unique_ptr<GoCo> goco_;
  std::string config_;
};

TEST_F(CheckConnectionTest, AGoodConnectionPassesEveryCheck) {
  std::string output;
  EXPECT_EQ(Check("demo", &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("OK   harvest token: Greenhouse issued a token for user 456"));
  EXPECT_THAT(output, HasSubstr("OK   note author: user 456"));
  EXPECT_THAT(output, HasSubstr("OK   goco api key: GoCo accepted the API key"));
  EXPECT_THAT(output, HasSubstr("connection 'demo' is ready"));
  EXPECT_EQ(greenhouse_->Count("POST", "/v3/notes"), 0);
}

TEST_F(CheckConnectionTest, ABadClientSecretFails) {
  std::string output;
  EXPECT_EQ(Check("bad_secret", &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("FAIL harvest token: Greenhouse refused connection 'bad_secret''s "
                                "Harvest client id and secret"));
  EXPECT_THAT(output, HasSubstr("FAIL note author: not checked"));
  EXPECT_THAT(output, HasSubstr("OK   goco api key"));
  EXPECT_THAT(output, Not(HasSubstr("not-the-secret")));
}

TEST_F(CheckConnectionTest, AWrongAuthorEmailFails) {
  std::string output;
  EXPECT_EQ(Check("unknown_author", &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("OK   harvest token"));
  EXPECT_THAT(output, HasSubstr("FAIL note author: the note author nobody@acme.test is not a "
                                "Greenhouse user: set greenhouse.note_author_email to a Site "
                                "Admin's email"));
  EXPECT_EQ(Check("other_author", &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("FAIL note author: greenhouse.note_author_user_id is 456 but"));
}

TEST_F(CheckConnectionTest, ARefusedGoCoKeyFails) {
  std::string output;
  EXPECT_EQ(Check("bad_goco_key", &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("OK   harvest token"));
  EXPECT_THAT(output, HasSubstr("FAIL goco api key: GoCo refused the API key (401)"));
  EXPECT_THAT(output, Not(HasSubstr("revoked-goco-key")));
}

TEST_F(CheckConnectionTest, MissingHarvestCredentialsAndUnknownConnectionsFail) {
  std::string output;
  EXPECT_EQ(Check("no_harvest", &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("FAIL harvest credentials: connection 'no_harvest' has no Harvest "
                                "v3 credentials"));
  EXPECT_EQ(Check("nowhere", &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("FAIL connection: 'nowhere' is not in"));
}

}  // namespace
}  // namespace hiresync::notes
