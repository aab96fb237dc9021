// The whole hiresync system as real processes on loopback, for integration tests:
// goco-sandbox, greenhouse-sandbox, hiresync-mapper, hiresync-writer and
// hiresync-ingress, on ports chosen at run time, with one connection "demo".
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/support/process.h"

namespace hiresync::testing {

struct StackOptions {
  // Extra connections' JSON objects to append to the config (ids other than "demo").
  std::vector<nlohmann::json> extra_connections;
  // Ingress retry timing: fast so tests finish quickly.
  int retry_base_ms = 50;
  int retry_max_ms = 400;
  bool start_writer = true;
  // Start hiresync-notes (and give ingress --notes_addr).
  bool with_notes = true;
  // ingress --max_attempts (0: the service's default).
  int max_attempts = 0;
  // writer --attachment_max_bytes (0: the service's default).
  int64_t attachment_max_bytes = 0;
  // Extra environment per process name ("ingress", "writer", "notes", ...), e.g. to arm
  // failpoints (HIRESYNC_FAILPOINTS).
  std::map<std::string, std::map<std::string, std::string>> env;
  // ingress --lease_ms (0: the service's default).
  int lease_ms = 0;
  // The inbox: a postgresql:// URL, or "" for a SQLite file in the stack's folder.
  std::string inbox_url;
  // ingress --admin_token_file holding this token ("": no admin token file).
  std::string admin_token;
  // Settings merged into the demo connection's "mapping".
  nlohmann::json demo_mapping = nlohmann::json::object();
};

// Greenhouse ids the sandbox is seeded with: the note author, and the candidates
// 35897443 (the docs' example) to 35897443 + kSeededCandidates - 1.
inline constexpr int64_t kNoteAuthorId = 4080;
inline constexpr int64_t kFirstCandidateId = 35897443;
inline constexpr int64_t kFirstApplicationId = 46194062;
inline constexpr int kSeededCandidates = 200;

// The "demo" connection as the test stack configures it: its secret files in `dir`
// (webhook-secret, harvest-client-id, harvest-client-secret, goco-key), the sandboxes on
// loopback at the given ports.
nlohmann::json DemoConnection(const TempDir& dir, int greenhouse_port, int goco_port);

class Stack {
 public:
  explicit Stack(StackOptions options = {});
  ~Stack();

  // Starts everything and waits until each process is ready. Fails the test otherwise.
  void Start();
  void StartIngress();
  void StartWriter();
  void StartMapper();
  void StartNotes();
  void StopNotes(int sig);
  // Replaces the environment a process gets at its next start.
  void SetEnv(const std::string& process, std::map<std::string, std::string> env) {
    options_.env[process] = std::move(env);
  }
  // Sends SIGHUP to ingress, writer and notes after rewriting the config.
  void ReloadConfig(const nlohmann::json& config);
  nlohmann::json Config() const;

  // Signs `body` with the demo secret (or `secret`) and POSTs it to connection `conn`.
  struct Answer {
    int status = 0;
    std::string body;
  };
  Answer SendWebhook(const std::string& body, const std::string& event_id = "",
                     const std::string& conn = "demo", const std::string& secret = "");
  Answer Post(int port, const std::string& path, const std::string& body,
              const std::vector<std::pair<std::string, std::string>>& headers = {});

  // The example hire from Greenhouse's docs, its attachment pointed at greenhouse-sandbox.
  std::string HireFixture();
  // HireFixture() as seeded candidate kFirstCandidateId + n (application
  // kFirstApplicationId + n), named "Given<n> Family<n>".
  nlohmann::json NumberedHire(int n);
  // NumberedHire(n) with what the example lacks for a sync without warnings: the offer's
  // "Job Title" and "Employment Type", one office, a mobile phone.
  nlohmann::json CleanHire(int n);
  // The signed URL of `name` (uploaded first) in greenhouse-sandbox.
  std::string UploadAttachment(const std::string& name, const std::string& bytes);

  // The notes greenhouse-sandbox holds for a candidate, oldest first.
  nlohmann::json Notes(int64_t candidate_id);
  nlohmann::json GreenhouseTest(const std::string& method, const std::string& path,
                                const nlohmann::json& body = nullptr);

  // GoCo sandbox views.
  nlohmann::json Employees(const std::string& company = "demo");
  nlohmann::json GoCoTest(const std::string& method, const std::string& path,
                          const nlohmann::json& body = nullptr);
  // A GET of GoCo's contract API (with the API key), e.g. "/locations".
  nlohmann::json GoCoApi(const std::string& path);
  // The name of catalog entry `id` in "/departments", "/locations", ...
  std::string CatalogName(const std::string& path, const std::string& id);
  // Runs hiresyncctl against this stack's ingress (--addr, and --token_file with the
  // admin token when `with_token`), waits for it, returns its exit code and its stdout +
  // stderr.
  struct CtlResult {
    int exit_code = -1;
    std::string output;
  };
  CtlResult Ctl(const std::vector<std::string>& args, bool with_token = true,
                const std::map<std::string, std::string>& env = {});
  std::string AdminTokenPath() const { return dir_.File("admin-token"); }

  // Inbox counts read from the SQLite file (by state name, "" for all).
  int64_t InboxCount(const std::string& state = "");
  // Waits until `n` events are DONE (or any DEAD); returns whether they are.
  bool WaitForDone(int64_t n, absl::Duration timeout = absl::Seconds(30));

  std::string ConfigPath() const { return dir_.File("config.json"); }
  const std::string& webhook_secret() const { return webhook_secret_; }
  Process* ingress() { return ingress_.get(); }
  Process* writer() { return writer_.get(); }
  Process* notes() { return notes_.get(); }
  Process* mapper() { return mapper_.get(); }
  void StopIngress(int sig);
  void StopWriter(int sig);
  std::string Logs() const;

  int goco_port = 0, greenhouse_port = 0, webhook_port = 0;
  int ingress_admin = 0, mapper_admin = 0, writer_admin = 0;
  int ingress_grpc = 0, mapper_grpc = 0, writer_grpc = 0;
  int notes_admin = 0, notes_grpc = 0;
  std::string goco_api_key = "test-goco-key";

 private:
  std::unique_ptr<Process> Launch(const std::string& name, const std::string& binary,
                                  const std::vector<std::string>& args);
  void WriteConfig();

  StackOptions options_;
  TempDir dir_;
  std::string webhook_secret_ = "test-webhook-secret";
  std::string inbox_location_;
  nlohmann::json config_;
  std::unique_ptr<Process> goco_, greenhouse_, mapper_, writer_, notes_, ingress_;
};

}  // namespace hiresync::testing
