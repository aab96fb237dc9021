// Runs the real greenhouse-sandbox binary and drives its Harvest v3 part over HTTP: OAuth
// tokens, scopes, notes, pagination, attachments, the rate limit, faults, seed and reset.
#include <signal.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/sandboxes/greenhouse/harvest_seed.h"
#include "tests/sandboxes/greenhouse/harvest_state.h"
#include "tests/sandboxes/greenhouse/rate_limiter.h"
#include "tests/support/process.h"

namespace hiresync::greenhouse_sandbox {
namespace {

using ::hiresync::testing::BinDir;
using ::hiresync::testing::FreePort;
using ::hiresync::testing::Process;
using ::hiresync::testing::TempDir;
using ::hiresync::testing::WaitForHttp;
using ::hiresync::testing::WriteFile;
using nlohmann::json;

constexpr int64_t kAdmin = 456;
constexpr int64_t kRecruiter = 457;
constexpr int64_t kCandidate = 35897443;
constexpr char kClient[] = "hiresync-local";
constexpr char kSecret[] = "client-secret-from-file";

std::string Binary() { return BinDir() + "/greenhouse-sandbox"; }

json AllScopes() {
  return {"harvest:users:list",      "harvest:notes:create",      "harvest:notes:list",
          "harvest:candidates:list", "harvest:applications:list", "harvest:offers:list",
          "harvest:attachments:list"};
}

// The --seed file: its client secret comes from a file next to it.
json FileSeed() {
  return {
      {"users",
       {{{"id", kAdmin},
         {"primary_email", "hr@acme.test"},
         {"first_name", "Harriet"},
         {"last_name", "Ray"},
         {"site_admin", true}},
        {{"id", kRecruiter},
         {"primary_email", "recruiter@acme.test"},
         {"first_name", "Rob"},
         {"last_name", "Cruz"},
         {"site_admin", false}}}},
      {"oauth_clients",
       {{{"client_id", kClient},
         {"client_secret_file", "secrets/harvest-client-secret"},
         {"scopes", AllScopes()}},
        {{"client_id", "notes-writer"},
         {"client_secret", "writer-secret"},
         {"scopes", {"harvest:notes:create"}}}}},
      {"candidates",
       {{{"id", kCandidate}, {"first_name", "Johnny"}, {"last_name", "Smith"}},
        {{"id", 2}, {"first_name", "Ada"}, {"last_name", "Byron"}},
        {{"id", 3}, {"first_name", "Grace"}, {"last_name", "Hopper"}},
        {{"id", 4}, {"first_name", "Alan"}, {"last_name", "Turing"}},
        {{"id", 5}, {"first_name", "Edsger"}, {"last_name", "Dijkstra"}}}},
      {"applications",
       {{{"id", 46194062}, {"candidate_id", kCandidate}, {"status", "hired"}},
        {{"id", 7}, {"candidate_id", 2}, {"status", "active"}}}},
      {"offers",
       {{{"id", 900}, {"application_id", 46194062}, {"version", 1}, {"starts_on", "2025-01-06"}},
        {{"id", 901}, {"application_id", 46194062}, {"version", 2}, {"starts_on", "2025-02-03"}}}},
      {"attachments",
       {{{"id", 11},
         {"candidate_id", kCandidate},
         {"filename", "resume.pdf"},
         {"type", "resume"}}}},
  };
}

std::string LinkPath(const std::string& link, int port) {
  const std::string prefix = absl::StrCat("<http://127.0.0.1:", port);
  const std::string suffix = ">; rel=\"next\"";
  if (!absl::StartsWith(link, prefix) || !absl::EndsWith(link, suffix)) return "";
  return link.substr(prefix.size(), link.size() - prefix.size() - suffix.size());
}

class HarvestTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(FileSeed()); }

  void Start(const json& seed) {
    std::filesystem::create_directories(dir_.File("secrets"));
    WriteFile(dir_.File("secrets/harvest-client-secret"), std::string(kSecret) + "\n");
    WriteFile(dir_.File("seed.json"), seed.dump(2));
    port_ = FreePort();
    auto process = Process::Start(
        Binary(), {"serve", "--port", std::to_string(port_), "--seed", dir_.File("seed.json")}, {},
        dir_.File("sandbox.log"));
    ASSERT_TRUE(process.ok()) << process.status();
    process_ = std::move(*process);
    ASSERT_TRUE(WaitForHttp(port_, "/_sandbox/healthz")) << process_->Log();
  }

  std::unique_ptr<httplib::Client> Client() {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client->set_connection_timeout(5, 0);
    client->set_read_timeout(5, 0);
    return client;
  }

  httplib::Result TokenCall(const std::string& id, const std::string& secret,
                            const std::string& form) {
    auto client = Client();
    client->set_basic_auth(id.c_str(), secret.c_str());
    return client->Post("/token", form, "application/x-www-form-urlencoded");
  }

  std::string Token(const std::string& id = kClient, const std::string& secret = kSecret,
                    int64_t sub = kAdmin) {
    auto res = TokenCall(id, secret, absl::StrCat("grant_type=client_credentials&sub=", sub));
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no response");
    if (!res || res->status != 200) return "";
    return json::parse(res->body).at("access_token");
  }

  httplib::Result Get(const std::string& path, const std::string& token) {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return Client()->Get(path.c_str(), headers);
  }

  httplib::Result PostNote(const std::string& token, const json& note) {
    return Client()->Post("/v3/notes", {{"Authorization", "Bearer " + token}}, note.dump(),
                          "application/json");
  }

  static json GoodNote(const std::string& body = "Synced to GoCo") {
    return {{"candidate_id", kCandidate},
            {"body", body},
            {"note_type", "NOTE"},
            {"visibility", "admin_only"},
            {"user_id", kAdmin}};
  }

  json Control(const std::string& method, const std::string& path, const json& body = nullptr) {
    auto client = Client();
    httplib::Result res =
        method == "GET"   ? client->Get(path.c_str())
        : method == "PUT" ? client->Put(path.c_str(), body.dump(), "application/json")
        : method == "DELETE"
            ? client->Delete(path.c_str())
            : client->Post(path.c_str(), body.is_null() ? "" : body.dump(), "application/json");
    EXPECT_TRUE(res && res->status == 200)
        << method << " " << path << ": " << (res ? res->body : "no response");
    return res ? json::parse(res->body, nullptr, false) : json();
  }

  json SandboxNotes() {
    return Control("GET", absl::StrCat("/_sandbox/notes?candidate_id=", kCandidate));
  }

  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
};

// ---------------------------------------------------------------- unit tests

TEST(RateLimiterTest, FixedWindowPerClient) {
  absl::Time now = absl::FromUnixSeconds(1700000000) + absl::Milliseconds(400);
  RateLimiter limiter([&now] { return now; });
  const RateLimitConfig config{2, 30};
  RateLimitDecision first = limiter.Consume("a", config);
  EXPECT_TRUE(first.allowed);
  EXPECT_EQ(first.remaining, 1);
  EXPECT_EQ(first.reset_epoch, 1700000030);
  now += absl::Seconds(10);
  EXPECT_TRUE(limiter.Consume("a", config).allowed);
  RateLimitDecision refused = limiter.Consume("a", config);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retry_after_seconds, 20);
  EXPECT_TRUE(limiter.Consume("b", config).allowed);
  now = absl::FromUnixSeconds(1700000030);
  RateLimitDecision next_window = limiter.Consume("a", config);
  EXPECT_TRUE(next_window.allowed);
  EXPECT_EQ(next_window.remaining, 1);
  EXPECT_EQ(next_window.reset_epoch, 1700000060);
}

TEST(HarvestStateTest, TokensExpireAfterTheirTtl) {
  absl::Time now = absl::FromUnixSeconds(1700000000);
  HarvestState state([&now] { return now; });
  absl::StatusOr<Seed> seed = ParseSeed(
      {{"users", {{{"id", 1}, {"primary_email", "a@b.test"}}}},
       {"oauth_clients", {{{"client_id", "c"}, {"client_secret", "s"}, {"scopes", {"x"}}}}},
       {"token_ttl_seconds", 60}},
      "");
  ASSERT_TRUE(seed.ok()) << seed.status();
  state.Merge(*seed);
  std::optional<OAuthClient> client = state.AuthenticateClient("c", "s");
  ASSERT_TRUE(client);
  EXPECT_FALSE(state.AuthenticateClient("c", "S"));
  IssuedToken token = state.IssueToken(*client, 1);
  EXPECT_EQ(token.expires_in, 60);
  now += absl::Seconds(59);
  std::optional<TokenGrant> grant = state.Authenticate(token.access_token);
  ASSERT_TRUE(grant);
  EXPECT_EQ(grant->user_id, 1);
  EXPECT_EQ(grant->scopes, std::set<std::string>{"x"});
  EXPECT_FALSE(grant->site_admin);
  now += absl::Seconds(1);
  EXPECT_FALSE(state.Authenticate(token.access_token));
}

// ------------------------------------------------------------------- /token

TEST_F(HarvestTest, TokenIsIssuedForAKnownClientAndUser) {
  auto res = TokenCall(kClient, kSecret, "grant_type=client_credentials&sub=456");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json body = json::parse(res->body);
  EXPECT_EQ(body.at("token_type"), "Bearer");
  EXPECT_EQ(body.at("expires_in"), 3600);
  const std::string token = body.at("access_token");
  EXPECT_GE(token.size(), 32u);
  EXPECT_EQ(res->get_header_value("X-RateLimit-Limit"), "50");
  EXPECT_EQ(res->get_header_value("X-RateLimit-Remaining"), "49");

  auto users = Get("/v3/users", token);
  ASSERT_TRUE(users);
  EXPECT_EQ(users->status, 200) << users->body;
  EXPECT_NE(Token(), token) << "tokens must be random";
}

TEST_F(HarvestTest, TokenRefusesBadClientsAndRequests) {
  const std::string good = "grant_type=client_credentials&sub=456";
  for (auto [id, secret] : std::vector<std::pair<std::string, std::string>>{
           {kClient, "wrong"}, {"nobody", kSecret}, {kClient, ""}}) {
    auto res = TokenCall(id, secret, good);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << id;
    EXPECT_EQ(json::parse(res->body), json({{"error", "invalid_client"}}));
  }
  auto anonymous = Client()->Post("/token", good, "application/x-www-form-urlencoded");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);

  for (const std::string form :
       {"grant_type=password&sub=456", "sub=456", "grant_type=client_credentials",
        "grant_type=client_credentials&sub=999", "grant_type=client_credentials&sub=abc"}) {
    auto res = TokenCall(kClient, kSecret, form);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << form;
    json body = json::parse(res->body);
    EXPECT_EQ(body.at("error"), "invalid_request") << form;
    EXPECT_FALSE(body.at("error_description").get<std::string>().empty());
  }
  auto client = Client();
  client->set_basic_auth(kClient, kSecret);
  auto as_json = client->Post("/token", R"({"grant_type":"client_credentials","sub":456})",
                              "application/json");
  ASSERT_TRUE(as_json);
  EXPECT_EQ(as_json->status, 400);
}

// ----------------------------------------------------------- auth and scopes

TEST_F(HarvestTest, V3NeedsALiveBearerToken) {
  for (const std::string token : {"", "not-a-token"}) {
    auto res = Get("/v3/users", token);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << token;
    EXPECT_EQ(json::parse(res->body), json({{"message", "Unauthorized"}}));
  }
  auto basic = Client()->Get("/v3/users", {{"Authorization", "Basic aGlyZXN5bmM6eA=="}});
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->status, 401);
}

TEST_F(HarvestTest, MissingScopeIs403) {
  const std::string token = Token("notes-writer", "writer-secret");
  auto res = Get("/v3/users?primary_email=hr@acme.test", token);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(json::parse(res->body),
            json({{"message", "Forbidden: missing scope harvest:users:list"}}));
  auto notes = Get("/v3/notes", token);
  ASSERT_TRUE(notes);
  EXPECT_EQ(json::parse(notes->body).at("message"), "Forbidden: missing scope harvest:notes:list");
  auto created = PostNote(token, GoodNote());
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201) << created->body;
}

TEST_F(HarvestTest, ReadsNeedASiteAdminButNotesDoNot) {
  const std::string token = Token(kClient, kSecret, kRecruiter);
  auto res = Get("/v3/candidates?ids=35897443", token);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_TRUE(absl::StrContains(res->body, "Site Admin")) << res->body;
  json note = GoodNote();
  note["user_id"] = kRecruiter;
  auto created = PostNote(token, note);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201) << created->body;
}

// --------------------------------------------------------------------- reads

TEST_F(HarvestTest, UsersByPrimaryEmail) {
  const std::string token = Token();
  auto res = Get("/v3/users?primary_email=HR@acme.test", token);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body), json::array({{{"id", kAdmin},
                                                  {"primary_email", "hr@acme.test"},
                                                  {"first_name", "Harriet"},
                                                  {"last_name", "Ray"},
                                                  {"site_admin", true}}}));
  auto none = Get("/v3/users?primary_email=nobody@acme.test", token);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 200);
  EXPECT_EQ(json::parse(none->body), json::array());
}

TEST_F(HarvestTest, CursorPaginationFollowsLinkAndCursorMustStandAlone) {
  const std::string token = Token();
  std::vector<int64_t> ids;
  std::string path = "/v3/candidates?per_page=2";
  std::string first_cursor_path;
  int pages = 0;
  while (!path.empty() && pages < 10) {
    auto res = Get(path, token);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << path << ": " << res->body;
    json page = json::parse(res->body);
    ASSERT_TRUE(page.is_array());
    EXPECT_LE(page.size(), 2u);
    for (const json& candidate : page) ids.push_back(candidate.at("id"));
    ++pages;
    path.clear();
    if (res->has_header("Link")) {
      path = LinkPath(res->get_header_value("Link"), port_);
      ASSERT_TRUE(absl::StartsWith(path, "/v3/candidates?cursor="))
          << res->get_header_value("Link");
      if (first_cursor_path.empty()) first_cursor_path = path;
    }
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids, (std::vector<int64_t>{2, 3, 4, 5, kCandidate}));

  auto extra = Get(first_cursor_path + "&per_page=2", token);
  ASSERT_TRUE(extra);
  EXPECT_EQ(extra->status, 400);
  EXPECT_EQ(json::parse(extra->body),
            json({{"message", "cursor must be the only query parameter"}}));
  auto bogus = Get("/v3/candidates?cursor=deadbeef", token);
  ASSERT_TRUE(bogus);
  EXPECT_EQ(bogus->status, 400);
  auto elsewhere = Get(
      absl::StrCat("/v3/users?cursor=", first_cursor_path.substr(first_cursor_path.find('=') + 1)),
      token);
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->status, 400);

  for (const char* bad : {"/v3/candidates?per_page=501", "/v3/candidates?per_page=0",
                          "/v3/candidates?candidate_id=1", "/v3/candidates?ids=1,x"}) {
    auto res = Get(bad, token);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << bad << ": " << res->body;
  }
  auto all = Get("/v3/candidates?per_page=500", token);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->status, 200);
  EXPECT_FALSE(all->has_header("Link"));
  EXPECT_EQ(json::parse(all->body).size(), 5u);
}

TEST_F(HarvestTest, CandidatesAtMost50Ids) {
  const std::string token = Token();
  std::string ids = std::to_string(kCandidate);
  for (int i = 1; i < 50; ++i) absl::StrAppend(&ids, ",", 1000 + i);
  auto fifty = Get("/v3/candidates?ids=" + ids, token);
  ASSERT_TRUE(fifty);
  EXPECT_EQ(fifty->status, 200) << fifty->body;
  EXPECT_EQ(json::parse(fifty->body).size(), 1u);

  auto fifty_one = Get("/v3/candidates?ids=" + ids + ",2", token);
  ASSERT_TRUE(fifty_one);
  EXPECT_EQ(fifty_one->status, 422);
  json body = json::parse(fifty_one->body);
  EXPECT_EQ(body.at("message"), "Validation failed");
  EXPECT_EQ(body.at("errors").at(0).at("field"), "ids");
}

TEST_F(HarvestTest, ApplicationsAndCurrentOffers) {
  const std::string token = Token();
  auto applications = Get(absl::StrCat("/v3/applications?candidate_ids=", kCandidate), token);
  ASSERT_TRUE(applications);
  ASSERT_EQ(applications->status, 200) << applications->body;
  json list = json::parse(applications->body);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("id"), 46194062);

  auto all = Get("/v3/offers?application_ids=46194062", token);
  ASSERT_TRUE(all);
  EXPECT_EQ(json::parse(all->body).size(), 2u);
  auto current = Get("/v3/offers?application_ids=46194062&current_only=true", token);
  ASSERT_TRUE(current);
  ASSERT_EQ(current->status, 200) << current->body;
  json offers = json::parse(current->body);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].at("id"), 901);
  EXPECT_EQ(offers[0].at("starts_on"), "2025-02-03");
}

TEST_F(HarvestTest, AttachmentsCarryWorkingSignedUrls) {
  const std::string bytes = "%PDF-1.4 resume";
  auto put = Client()->Put("/_sandbox/attachments/resume.pdf", bytes, "application/pdf");
  ASSERT_TRUE(put && put->status == 200);
  const std::string token = Token();
  auto res = Get(absl::StrCat("/v3/attachments?candidate_ids=", kCandidate), token);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json list = json::parse(res->body);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("filename"), "resume.pdf");
  EXPECT_EQ(list[0].at("type"), "resume");
  EXPECT_FALSE(list[0].contains("file"));
  const std::string url = list[0].at("url");
  const std::string prefix = absl::StrCat("http://127.0.0.1:", port_);
  ASSERT_TRUE(absl::StartsWith(url, prefix + "/attachments/resume.pdf?X-Amz-Date=")) << url;
  auto download = Client()->Get(url.substr(prefix.size()).c_str());
  ASSERT_TRUE(download);
  EXPECT_EQ(download->status, 200);
  EXPECT_EQ(download->body, bytes);

  // A link seeded to be already expired is refused like S3 does.
  Control("PUT", "/_sandbox/seed",
          {{"attachments",
            {{{"id", 11},
              {"candidate_id", kCandidate},
              {"filename", "resume.pdf"},
              {"url_ttl_seconds", 0}}}}});
  auto expired_list = Get(absl::StrCat("/v3/attachments?candidate_ids=", kCandidate), token);
  ASSERT_TRUE(expired_list);
  const std::string expired_url = json::parse(expired_list->body).at(0).at("url");
  auto expired = Client()->Get(expired_url.substr(prefix.size()).c_str());
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->status, 403);
  EXPECT_TRUE(absl::StrContains(expired->body, "Request has expired")) << expired->body;
}

// --------------------------------------------------------------------- notes

TEST_F(HarvestTest, NotesAreCreatedAndListedOldestFirst) {
  const std::string token = Token();
  auto first = PostNote(token, GoodNote("first"));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 201) << first->body;
  json note = json::parse(first->body);
  EXPECT_EQ(note.at("candidate_id"), kCandidate);
  EXPECT_EQ(note.at("body"), "first");
  EXPECT_EQ(note.at("note_type"), "NOTE");
  EXPECT_EQ(note.at("visibility"), "admin_only");
  EXPECT_EQ(note.at("user_id"), kAdmin);
  EXPECT_TRUE(note.at("id").is_number_integer());
  EXPECT_TRUE(absl::EndsWith(note.at("created_at").get<std::string>(), "Z")) << note;

  json second_note = GoodNote("second");
  second_note["visibility"] = "public";
  ASSERT_EQ(PostNote(token, second_note)->status, 201);
  json other = GoodNote("elsewhere");
  other["candidate_id"] = 2;
  ASSERT_EQ(PostNote(token, other)->status, 201);

  auto listed = Get(absl::StrCat("/v3/notes?candidate_ids=", kCandidate), token);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200) << listed->body;
  json notes = json::parse(listed->body);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0], note);
  EXPECT_EQ(notes[1].at("body"), "second");
  EXPECT_EQ(notes[1].at("visibility"), "public");

  json sandbox_notes = SandboxNotes();
  ASSERT_EQ(sandbox_notes.size(), 2u);
  EXPECT_EQ(sandbox_notes[0].at("body"), "first");
  EXPECT_EQ(sandbox_notes[1].at("body"), "second");
  EXPECT_EQ(Control("GET", "/_sandbox/notes?candidate_id=2").size(), 1u);
  EXPECT_EQ(Control("GET", "/_sandbox/requests?method=POST&path=/v3/notes").at("count"), 3);
}

TEST_F(HarvestTest, InvalidNotesAre422AndNotStored) {
  const std::string token = Token();
  struct Case {
    const char* field;
    json value;
  };
  for (const Case& c : std::vector<Case>{{"candidate_id", 999},
                                         {"candidate_id", "35897443"},
                                         {"body", ""},
                                         {"body", "   "},
                                         {"note_type", "EMAIL"},
                                         {"visibility", "everyone"},
                                         {"user_id", 999}}) {
    json note = GoodNote();
    note[c.field] = c.value;
    auto res = PostNote(token, note);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 422) << c.field << "=" << c.value;
    json body = json::parse(res->body);
    EXPECT_EQ(body.at("message"), "Validation failed");
    ASSERT_EQ(body.at("errors").size(), 1u) << body;
    EXPECT_EQ(body.at("errors")[0].at("field"), c.field);
    EXPECT_FALSE(body.at("errors")[0].at("message").get<std::string>().empty());
  }
  json missing = GoodNote();
  missing.erase("user_id");
  missing.erase("visibility");
  auto res = PostNote(token, missing);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 422);
  EXPECT_EQ(json::parse(res->body).at("errors").size(), 2u) << res->body;

  auto not_json = Client()->Post("/v3/notes", {{"Authorization", "Bearer " + token}}, "body=hi",
                                 "application/json");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  EXPECT_TRUE(SandboxNotes().empty());
}

// ---------------------------------------------------------------- rate limit

TEST_F(HarvestTest, RateLimitAnswers429WithRetryAfter) {
  Control("PUT", "/_sandbox/seed", {{"rate_limit", {{"limit", 3}, {"window_seconds", 30}}}});
  const int64_t before = absl::ToUnixSeconds(absl::Now());
  const std::string token = Token();  // call 1 of 3
  for (int remaining : {1, 0}) {
    auto res = Get("/v3/users", token);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("X-RateLimit-Limit"), "3");
    EXPECT_EQ(res->get_header_value("X-RateLimit-Remaining"), std::to_string(remaining));
  }
  auto limited = Get("/v3/users", token);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->get_header_value("X-RateLimit-Remaining"), "0");
  int64_t retry_after = 0;
  int64_t reset = 0;
  ASSERT_TRUE(absl::SimpleAtoi(limited->get_header_value("Retry-After"), &retry_after));
  ASSERT_TRUE(absl::SimpleAtoi(limited->get_header_value("X-RateLimit-Reset"), &reset));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 30);
  EXPECT_GE(reset, before + 1);
  EXPECT_LE(reset, absl::ToUnixSeconds(absl::Now()) + 30);
  // /token counts against the same client.
  auto token_call = TokenCall(kClient, kSecret, "grant_type=client_credentials&sub=456");
  ASSERT_TRUE(token_call);
  EXPECT_EQ(token_call->status, 429);
  // Another client has its own window.
  auto other = PostNote(Token("notes-writer", "writer-secret"), GoodNote());
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 201);
}

// -------------------------------------------------------------------- faults

TEST_F(HarvestTest, StatusFaultAnswersTheNextNCalls) {
  const std::string token = Token();
  Control("POST", "/_sandbox/faults",
          {{"method", "POST"}, {"path", "/v3/notes"}, {"status", 503}, {"count", 2}});
  for (int i = 0; i < 2; ++i) {
    auto res = PostNote(token, GoodNote());
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503);
  }
  auto ok = PostNote(token, GoodNote());
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 201);
  EXPECT_EQ(SandboxNotes().size(), 1u);
  EXPECT_EQ(Control("GET", "/_sandbox/requests?method=POST&path=/v3/notes").at("count"), 3);

  Control("POST", "/_sandbox/faults",
          {{"method", "GET"}, {"path", "/v3/users"}, {"status", 429}, {"count", 1}});
  auto limited = Get("/v3/users", token);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->get_header_value("Retry-After"), "1");

  Control("POST", "/_sandbox/faults",
          {{"method", "GET"}, {"path", "/v3/users"}, {"status", 500}, {"count", 5}});
  Control("DELETE", "/_sandbox/faults");
  auto cleared = Get("/v3/users", token);
  ASSERT_TRUE(cleared);
  EXPECT_EQ(cleared->status, 200);
}

TEST_F(HarvestTest, LatencyFaultDelaysTheAnswer) {
  const std::string token = Token();
  Control("POST", "/_sandbox/faults",
          {{"method", "GET"}, {"path", "/v3/users"}, {"latency_ms", 400}, {"count", 1}});
  absl::Time start = absl::Now();
  auto slow = Get("/v3/users", token);
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->status, 200);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(400));
}

TEST_F(HarvestTest, DropAfterCommitStoresTheNoteButSendsNoAnswer) {
  const std::string token = Token();
  Control("POST", "/_sandbox/faults",
          {{"method", "POST"}, {"path", "/v3/notes"}, {"drop_after_commit", true}, {"count", 1}});
  auto dropped = PostNote(token, GoodNote("committed"));
  EXPECT_FALSE(dropped) << "got an answer: " << dropped->status << " " << dropped->body;
  json notes = SandboxNotes();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].at("body"), "committed");

  auto next = PostNote(token, GoodNote("retry"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 201);
  EXPECT_EQ(SandboxNotes().size(), 2u);
}

TEST_F(HarvestTest, ExpireTokensMakesTheNextCall401) {
  const std::string token = Token();
  ASSERT_EQ(Get("/v3/users", token)->status, 200);
  EXPECT_EQ(Control("POST", "/_sandbox/faults", {{"expire_tokens", true}}).at("expired_tokens"), 1);
  auto expired = Get("/v3/users", token);
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->status, 401);
  EXPECT_EQ(Get("/v3/users", Token())->status, 200);
}

TEST_F(HarvestTest, BadFaultsAreRefused) {
  for (const json& bad :
       {json{{"method", "POST"}, {"path", "/v3/notes"}, {"count", 1}},
        json{{"method", "post"}, {"path", "/v3/notes"}, {"status", 503}},
        json{{"method", "POST"},
             {"path", "/v3/notes"},
             {"status", 503},
             {"drop_after_commit", true}},
        json{{"expire_tokens", false}},
        json{{"method", "POST"}, {"path", "/v3/notes"}, {"status", 503}, {"count", 0}}}) {
    auto res = Client()->Post("/_sandbox/faults", bad.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << bad;
  }
}

// -------------------------------------------------------------- seed, reset

TEST_F(HarvestTest, ResetKeepsOnlyTheSeedFile) {
  const std::string old_token = Token();
  ASSERT_EQ(PostNote(old_token, GoodNote())->status, 201);
  Control("PUT", "/_sandbox/seed",
          {{"users", {{{"id", 777}, {"primary_email", "temp@acme.test"}, {"site_admin", true}}}}});
  ASSERT_EQ(json::parse(Get("/v3/users?primary_email=temp@acme.test", old_token)->body).size(), 1u);
  Control("POST", "/_sandbox/faults",
          {{"method", "GET"}, {"path", "/v3/users"}, {"status", 503}, {"count", 3}});

  Control("POST", "/_sandbox/reset");
  EXPECT_TRUE(SandboxNotes().empty());
  EXPECT_EQ(Get("/v3/users", old_token)->status, 401);
  EXPECT_EQ(Control("GET", "/_sandbox/requests?path=/v3/users").at("count"), 1);
  const std::string token = Token();
  auto users = Get("/v3/users", token);
  ASSERT_TRUE(users);
  ASSERT_EQ(users->status, 200) << users->body;
  json list = json::parse(users->body);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("id"), kAdmin);
  EXPECT_EQ(list[1].at("id"), kRecruiter);
}

TEST_F(HarvestTest, SeedViaPutMergesById) {
  json seed = {
      {"users", {{{"id", kAdmin}, {"primary_email", "renamed@acme.test"}, {"site_admin", true}}}},
      {"oauth_clients",
       {{{"client_id", "second"}, {"client_secret", "s2"}, {"scopes", {"harvest:users:list"}}}}},
      {"token_ttl_seconds", 60}};
  json answer = Control("PUT", "/_sandbox/seed", seed);
  EXPECT_EQ(answer.at("users"), 1);
  auto res = TokenCall("second", "s2", "grant_type=client_credentials&sub=456");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  json token = json::parse(res->body);
  EXPECT_EQ(token.at("expires_in"), 60);
  auto users = Get("/v3/users", token.at("access_token"));
  ASSERT_TRUE(users);
  json list = json::parse(users->body);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("primary_email"), "renamed@acme.test");
  EXPECT_FALSE(Token().empty()) << "the seed file's client still works";
}

TEST_F(HarvestTest, BadSeedsAreRefusedWithTheReason) {
  struct Case {
    json seed;
    const char* reason;
  };
  for (const Case& c : std::vector<Case>{
           {{{"userz", json::array()}}, "unknown seed key"},
           {{{"users", {{{"primary_email", "x@y.test"}}}}}, "users[0] needs an integer"},
           {{{"offers", {{{"id", 1}, {"application_id", 2}, {"starts_at", "2025-01-01"}}}}},
            "starts_on"},
           {{{"oauth_clients", {{{"client_id", "c"}, {"scopes", json::array()}}}}},
            "exactly one of"},
           {{{"oauth_clients", {{{"client_id", "c"}, {"client_secret_file", "/nonexistent/x"}}}}},
            "cannot be read"},
       }) {
    auto res = Client()->Put("/_sandbox/seed", c.seed.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << c.seed;
    EXPECT_TRUE(absl::StrContains(res->body, c.reason)) << res->body;
  }
}

TEST(HarvestSeedFileTest, UnreadableSecretFileStopsTheServer) {
  TempDir dir;
  json seed = FileSeed();
  WriteFile(dir.File("seed.json"), seed.dump());
  auto process = Process::Start(
      Binary(), {"serve", "--port", std::to_string(FreePort()), "--seed", dir.File("seed.json")},
      {}, dir.File("sandbox.log"));
  ASSERT_TRUE(process.ok());
  EXPECT_EQ((*process)->Wait(), 1) << (*process)->Log();
  EXPECT_TRUE(absl::StrContains((*process)->Log(), "secrets/harvest-client-secret"))
      << (*process)->Log();
  EXPECT_FALSE(absl::StrContains((*process)->Log(), kSecret));
}

TEST(HarvestSeedFileTest, SeedFileSpellingIsAccepted) {
  TempDir dir;
  WriteFile(dir.File("seed.json"),
            json({{"users", {{{"id", 1}, {"primary_email", "a@b.test"}}}},
                  {"oauth_clients",
                   {{{"client_id", "c"}, {"client_secret_file", "secret"}, {"scopes", {"x"}}}}}})
                .dump());
  WriteFile(dir.File("secret"), "from-file\n");
  const int port = FreePort();
  auto process = Process::Start(
      Binary(), {"serve", "--port", std::to_string(port), "--seed-file", dir.File("seed.json")}, {},
      dir.File("sandbox.log"));
  ASSERT_TRUE(process.ok());
  ASSERT_TRUE(WaitForHttp(port, "/_sandbox/healthz")) << (*process)->Log();
  httplib::Client client("127.0.0.1", port);
  client.set_basic_auth("c", "from-file");
  auto res = client.Post("/token", "grant_type=client_credentials&sub=1",
                         "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
}

TEST(HarvestSeedFileTest, InvalidJsonStopsTheServer) {
  TempDir dir;
  WriteFile(dir.File("seed.json"), "{not json");
  auto process = Process::Start(
      Binary(), {"serve", "--port", std::to_string(FreePort()), "--seed", dir.File("seed.json")},
      {}, dir.File("sandbox.log"));
  ASSERT_TRUE(process.ok());
  EXPECT_EQ((*process)->Wait(), 1) << (*process)->Log();
  EXPECT_TRUE(absl::StrContains((*process)->Log(), "is not valid JSON")) << (*process)->Log();
}

}  // namespace
}  // namespace hiresync::greenhouse_sandbox
