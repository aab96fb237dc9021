// Two ingress replicas on one PostgreSQL inbox, each calling its own writer (each writer with
// its own ledger), one mapper, one notes service: hires arrive at both replicas, some
// delivered to both at once. Each event is handled by exactly one replica, and each hire
// becomes exactly one GoCo employee, created by exactly one POST /employees.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/integration/stack.h"
#include "tests/support/postgres.h"
#include "tests/support/process.h"

namespace hiresync::testing {
namespace {

constexpr int64_t kFirstCandidate = 61000000;
constexpr int64_t kFirstApplication = 81000000;
constexpr int kHires = 200;
constexpr char kSecret[] = "replicas-webhook-secret";
constexpr char kGoCoKey[] = "replicas-goco-key";

nlohmann::json HttpJson(int port, const std::string& method, const std::string& path,
                        const nlohmann::json& body = nullptr) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(20, 0);
  httplib::Result res = method == "GET" ? client.Get(path.c_str())
                        : method == "PUT"
                            ? client.Put(path.c_str(), body.dump(), "application/json")
                            : client.Post(path.c_str(), body.dump(), "application/json");
  EXPECT_TRUE(res) << method << " " << path;
  if (!res) return nullptr;
  EXPECT_LT(res->status, 300) << method << " " << path << ": " << res->body;
  return nlohmann::json::parse(res->body, nullptr, false);
}

// The event ids an ingress log says it finished ("event done" lines), with repeats.
std::vector<int64_t> EventsDone(const std::string& log) {
  std::vector<int64_t> ids;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    auto json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_object() && json.value("msg", "") == "event done") {
      ids.push_back(json["event_id"].get<int64_t>());
    }
  }
  return ids;
}

class Replicas {
 public:
  Replicas() {
    for (int* port :
         {&goco_, &greenhouse_, &mapper_grpc_, &mapper_admin_, &notes_grpc_, &notes_admin_}) {
      *port = FreePort();
    }
    for (int i = 0; i < 2; ++i) {
      writer_grpc_[i] = FreePort();
      writer_admin_[i] = FreePort();
      webhook_[i] = FreePort();
      ingress_grpc_[i] = FreePort();
      ingress_admin_[i] = FreePort();
    }
    WriteFile(dir_.File("webhook-secret"), std::string(kSecret) + "\n");
    WriteFile(dir_.File("goco-key"), std::string(kGoCoKey) + "\n");
    WriteFile(dir_.File("harvest-client-id"), "replicas-harvest-client\n");
    WriteFile(dir_.File("harvest-client-secret"), "replicas-harvest-secret\n");
    nlohmann::json candidates = nlohmann::json::array();
    for (int i = 0; i < kHires; ++i) {
      candidates.push_back({{"id", kFirstCandidate + i},
                            {"first_name", "Replica"},
                            {"last_name", absl::StrCat("Hire", i)}});
    }
    nlohmann::json seed = {{"users",
                            {{{"id", kNoteAuthorId},
                              {"primary_email", "hr-admin@demo.test"},
                              {"first_name", "Harriet"},
                              {"last_name", "Ray"},
                              {"site_admin", true}}}},
                           {"oauth_clients",
                            {{{"client_id", "replicas-harvest-client"},
                              {"client_secret_file", dir_.File("harvest-client-secret")},
                              {"scopes",
                               {"harvest:users:list", "harvest:notes:create", "harvest:notes:list",
                                "harvest:candidates:list"}}}}},
                           {"candidates", candidates},
                           {"rate_limit", {{"limit", 100000}, {"window_seconds", 30}}}};
    WriteFile(dir_.File("greenhouse-seed.json"), seed.dump());
    nlohmann::json demo = DemoConnection(dir_, greenhouse_, goco_);
    WriteFile(dir_.File("config.json"), nlohmann::json{{"connections", {demo}}}.dump(2));
  }

  ~Replicas() {
    if (::testing::Test::HasFailure()) std::fprintf(stderr, "%s\n", Logs().c_str());
    for (auto& p : ingress_) p.reset();
    for (auto& p : writer_) p.reset();
    notes_.reset();
    mapper_.reset();
    greenhouse_process_.reset();
    goco_process_.reset();
  }

  void Start(const std::string& inbox_url) {
    goco_process_ = Launch("goco", "goco-sandbox",
                           {"--host", "127.0.0.1", "--port", std::to_string(goco_), "--company",
                            "demo", "--api-key-file", dir_.File("goco-key")});
    greenhouse_process_ =
        Launch("greenhouse", "greenhouse-sandbox",
               {"serve", "--host", "127.0.0.1", "--port", std::to_string(greenhouse_), "--seed",
                dir_.File("greenhouse-seed.json")});
    mapper_ = Launch("mapper", "hiresync-mapper",
                     {absl::StrCat("--grpc_listen=127.0.0.1:", mapper_grpc_),
                      absl::StrCat("--admin_listen_port=", mapper_admin_)});
    notes_ = Launch("notes", "hiresync-notes",
                    {"--config", dir_.File("config.json"), "--ledger", dir_.File("notes.db"),
                     absl::StrCat("--grpc_listen=127.0.0.1:", notes_grpc_),
                     absl::StrCat("--admin_listen_port=", notes_admin_)});
    for (int i = 0; i < 2; ++i) {
      writer_[i] = Launch(absl::StrCat("writer", i), "hiresync-writer",
                          {"--config", dir_.File("config.json"), "--ledger",
                           dir_.File(absl::StrCat("writer", i, ".db")),
                           absl::StrCat("--grpc_listen=127.0.0.1:", writer_grpc_[i]),
                           absl::StrCat("--admin_listen_port=", writer_admin_[i])});
    }
    ASSERT_TRUE(WaitForHttp(goco_, "/_sandbox/healthz")) << Logs();
    ASSERT_TRUE(WaitForHttp(greenhouse_, "/_sandbox/healthz")) << Logs();
    HttpJson(goco_, "PUT", "/_sandbox/catalog",
             {{"departments", {"Technology"}},
              {"locations", {"New York City"}},
              {"job_titles", {"Software Engineer"}},
              {"employment_types", {"Full-time"}}});
    // Some GoCo latency keeps several events in flight on both replicas at once.
    for (const char* path : {"/*", "/*/*", "/*/*/*"}) {
      HttpJson(goco_, "POST", "/_sandbox/faults",
               {{"path", path},
                {"latency_ms_min", 1},
                {"latency_ms_max", 15},
                {"probability", 1.0},
                {"seed", 5}});
    }
    for (int port : {mapper_admin_, notes_admin_, writer_admin_[0], writer_admin_[1]}) {
      ASSERT_TRUE(WaitForHttp(port, "/readyz")) << Logs();
    }
    for (int i = 0; i < 2; ++i) {
      ingress_[i] =
          Launch(absl::StrCat("ingress", i), "hiresync-ingress",
                 {"--config", dir_.File("config.json"), "--inbox", inbox_url,
                  absl::StrCat("--webhook_port=", webhook_[i]),
                  absl::StrCat("--grpc_listen=127.0.0.1:", ingress_grpc_[i]),
                  absl::StrCat("--admin_listen_port=", ingress_admin_[i]),
                  absl::StrCat("--mapper_addr=127.0.0.1:", mapper_grpc_),
                  absl::StrCat("--writer_addr=127.0.0.1:", writer_grpc_[i]),
                  absl::StrCat("--notes_addr=127.0.0.1:", notes_grpc_), "--retry_base_ms=50",
                  "--retry_max_ms=400", "--lease_ms=20000", "--call_deadline_ms=5000"});
    }
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(WaitForHttp(ingress_admin_[i], "/readyz")) << Logs();
  }

  // Signs and POSTs `body` to replica `i`'s webhook; the answer's status and body.
  std::pair<int, std::string> Send(int i, const std::string& body, const std::string& event_id) {
    httplib::Client client("127.0.0.1", webhook_[i]);
    client.set_read_timeout(20, 0);
    httplib::Headers headers = {{"Signature", "sha256 " + crypto::HmacSha256Hex(kSecret, body)},
                                {"Greenhouse-Event-ID", event_id}};
    auto res = client.Post("/v1/webhooks/greenhouse/demo", headers, body, "application/json");
    if (!res) return {0, ""};
    return {res->status, res->body};
  }

  std::string ResumeUrl() {
    httplib::Client client("127.0.0.1", greenhouse_);
    std::string resume =
        ReadFile(std::string(HIRESYNC_SOURCE_DIR) + "/deploy/local/sample/resume.pdf");
    auto put = client.Put("/_sandbox/attachments/resume.pdf", resume, "application/octet-stream");
    EXPECT_TRUE(put && put->status == 200);
    return HttpJson(greenhouse_, "POST", "/_sandbox/attachments/resume.pdf/url",
                    nlohmann::json::object())
        .value("url", "");
  }

  int goco() const { return goco_; }
  int greenhouse() const { return greenhouse_; }
  Process* ingress(int i) { return ingress_[i].get(); }

  std::string Logs() const {
    std::string out;
    for (const char* name :
         {"goco", "greenhouse", "mapper", "notes", "writer0", "writer1", "ingress0", "ingress1"}) {
      out += absl::StrCat("==== ", name, "\n", ReadFile(dir_.File(std::string(name) + ".log")));
    }
    return out;
  }

 private:
  std::unique_ptr<Process> Launch(const std::string& name, const std::string& binary,
                                  const std::vector<std::string>& args) {
    auto process = Process::Start(BinDir() + "/" + binary, args, {}, dir_.File(name + ".log"));
    EXPECT_TRUE(process.ok()) << process.status();
    return process.ok() ? std::move(*process) : nullptr;
  }

  TempDir dir_;
  int goco_ = 0, greenhouse_ = 0, mapper_grpc_ = 0, mapper_admin_ = 0, notes_grpc_ = 0,
      notes_admin_ = 0;
  int writer_grpc_[2] = {}, writer_admin_[2] = {}, webhook_[2] = {}, ingress_grpc_[2] = {},
      ingress_admin_[2] = {};
  std::unique_ptr<Process> goco_process_, greenhouse_process_, mapper_, notes_;
  std::unique_ptr<Process> writer_[2], ingress_[2];
};

// Hire i, synced without warnings, except every tenth, whose department GoCo lacks (one note).
std::string ReplicaHire(const nlohmann::json& fixture, int i) {
  nlohmann::json hire = fixture;
  auto& application = hire["payload"]["application"];
  application["id"] = kFirstApplication + i;
  auto& candidate = application["candidate"];
  candidate["id"] = kFirstCandidate + i;
  candidate["first_name"] = "Replica";
  candidate["last_name"] = absl::StrCat("Hire", i);
  candidate["phone_numbers"] = {{{"value", "646-555-0134"}, {"type", "mobile"}}};
  application["jobs"][0]["offices"].erase(1);
  if (i % 10 == 0) application["jobs"][0]["departments"][0]["name"] = "Research";
  auto& fields = application["offer"]["custom_fields"];
  fields["job_title"] = {
      {"name", "Job Title"}, {"type", "short_text"}, {"value", "Software Engineer"}};
  fields["employment_type"] = {
      {"name", "Employment Type"}, {"type", "single_select"}, {"value", "Full-time"}};
  return hire.dump();
}

TEST(ReplicasTest, TwoIngressAndTwoWritersOnOnePostgresInboxSyncEachHireOnce) {
  auto postgres = TestPostgres::Start();
  ASSERT_TRUE(postgres.ok()) << postgres.status();
  Replicas replicas;
  ASSERT_NO_FATAL_FAILURE(replicas.Start((*postgres)->url()));
  nlohmann::json fixture = nlohmann::json::parse(ReadFile(FixturesDir() + "/hire_candidate.json"));
  fixture["payload"]["application"]["candidate"]["attachments"][0]["url"] = replicas.ResumeUrl();

  // Even hires go to replica 0, odd ones to 1; every fourth is also delivered to the other
  // replica at the same moment (Greenhouse retrying while the first delivery is in flight).
  std::atomic<int> accepted{0}, duplicates{0}, other{0};
  auto count = [&](const std::pair<int, std::string>& answer) {
    if (answer.first != 200) {
      ++other;
    } else if (absl::StrContains(answer.second, "\"accepted\"")) {
      ++accepted;
    } else if (absl::StrContains(answer.second, "\"duplicate\"")) {
      ++duplicates;
    } else {
      ++other;
    }
  };
  int both = 0;
  std::vector<std::thread> senders;
  for (int t = 0; t < 2; ++t) {
    senders.emplace_back([&, t] {
      for (int i = t; i < kHires; i += 2) {
        std::string body = ReplicaHire(fixture, i);
        std::string id = absl::StrCat("replica-", i);
        if (i % 4 < 2) {
          std::pair<int, std::string> answers[2];
          std::thread twin([&] { answers[1] = replicas.Send(1 - t, body, id); });
          answers[0] = replicas.Send(t, body, id);
          twin.join();
          count(answers[0]);
          count(answers[1]);
        } else {
          count(replicas.Send(t, body, id));
        }
      }
    });
  }
  for (int i = 0; i < kHires; ++i) both += i % 4 < 2 ? 1 : 0;
  for (auto& sender : senders) sender.join();
  EXPECT_EQ(other, 0);
  EXPECT_EQ(accepted, kHires);
  EXPECT_EQ(duplicates, both);

  auto query = [&](const std::string& sql) -> std::string {
    auto rows = TestPostgres::Query((*postgres)->url(), sql);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() && !rows->empty() ? (*rows)[0][0] : "";
  };
  bool finished = WaitFor(
      [&] {
        return query("SELECT count(*) FROM events WHERE state IN ('DONE', 'DEAD')") ==
               std::to_string(kHires);
      },
      absl::Minutes(2));
  EXPECT_TRUE(finished) << query(
      "SELECT string_agg(state || ':' || n, ', ') FROM (SELECT state, "
      "count(*) AS n FROM events GROUP BY state) s");
  EXPECT_EQ(query("SELECT count(*) FROM events WHERE state = 'DONE'"), std::to_string(kHires));
  EXPECT_EQ(query("SELECT count(*) FROM events"), std::to_string(kHires));

  // Each event finished by exactly one replica, once; and both replicas took part.
  std::map<int64_t, int> finished_by;
  std::vector<int64_t> done[2] = {EventsDone(replicas.ingress(0)->Log()),
                                  EventsDone(replicas.ingress(1)->Log())};
  for (int r = 0; r < 2; ++r) {
    for (int64_t id : done[r]) ++finished_by[id];
  }
  EXPECT_EQ(finished_by.size(), static_cast<size_t>(kHires));
  for (const auto& [id, times] : finished_by) EXPECT_EQ(times, 1) << "event " << id;
  EXPECT_GT(done[0].size(), 0u) << "replica 0 finished no event";
  EXPECT_GT(done[1].size(), 0u) << "replica 1 finished no event";
  // Each event's history has one 'done' step.
  EXPECT_EQ(query("SELECT count(*) FROM event_steps WHERE step = 'done'"), std::to_string(kHires));

  nlohmann::json employees = HttpJson(replicas.goco(), "GET", "/_sandbox/employees")["data"];
  std::set<std::string> candidates;
  for (const auto& employee : employees) {
    candidates.insert(employee.value("external_ids", nlohmann::json::object())
                          .value("greenhouse_candidate_id", ""));
    EXPECT_EQ(employee["documents"].size(), 1u) << employee.dump();
  }
  EXPECT_EQ(employees.size(), static_cast<size_t>(kHires));
  EXPECT_EQ(candidates.size(), static_cast<size_t>(kHires));
  EXPECT_EQ(HttpJson(replicas.goco(), "GET", "/_sandbox/requests?method=POST&path=/employees")
                .value("count", int64_t{-1}),
            kHires);

  nlohmann::json notes = HttpJson(replicas.greenhouse(), "GET", "/_sandbox/notes");
  std::map<int64_t, int> notes_per_candidate;
  for (const auto& note : notes) ++notes_per_candidate[note["candidate_id"].get<int64_t>()];
  EXPECT_EQ(notes.size(), static_cast<size_t>(kHires / 10));
  for (int i = 0; i < kHires; i += 10) {
    EXPECT_EQ(notes_per_candidate[kFirstCandidate + i], 1) << "hire " << i;
  }
  std::printf("replicas: hires=%d, finished by replica 0=%zu, by replica 1=%zu, notes=%zu\n",
              kHires, done[0].size(), done[1].size(), notes.size());
}

}  // namespace
}  // namespace hiresync::testing
