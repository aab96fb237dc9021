// The whole system from its container images: deploy/containers/build-images builds the
// six images, then rootful podman runs both sandboxes and the four services the way a
// cluster would (--read-only, --cap-drop=ALL, uid 10001, config and secrets mounted
// read-only, a tmpfs for /var/lib/hiresync), with --network=host on 127.0.0.1 and ports
// chosen at run time. A signed hire goes in; the employee must appear in goco-sandbox.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "tests/support/http.h"
#include "tests/support/process.h"

namespace hiresync::testing {
namespace {

const std::string kSource = HIRESYNC_SOURCE_DIR;
const std::string kVersion = HIRESYNC_VERSION;
const std::string kPodman = "/usr/bin/podman";
// Every container this test starts carries these labels; a run that was killed before it
// could remove its containers leaves them to the next run's sweep.
const std::string kLabel = "io.hiresync.test=containers_test";
const std::string kPidLabel = "io.hiresync.test.pid";

std::string Image(const std::string& name) {
  return absl::StrCat("localhost/", name, ":", kVersion);
}

std::string Tail(const std::string& text, size_t bytes = 6000) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

// Rootful podman with the containers.conf build-images wrote; removes the containers it
// started (by id) when destroyed, also when the test failed.
class Podman {
 public:
  explicit Podman(std::string conf) : conf_(std::move(conf)) {}
  ~Podman() {
    if (ids_.empty()) return;
    std::vector<std::string> args = {"rm", "--force", "--volumes", "--time=2"};
    for (const auto& [name, id] : ids_) args.push_back(id);
    Result removed = Run(args, absl::Seconds(60));
    if (removed.code != 0) std::fprintf(stderr, "podman rm: %s\n", removed.output.c_str());
  }
  Podman(const Podman&) = delete;
  Podman& operator=(const Podman&) = delete;

  struct Result {
    int code = -1;
    std::string output;
  };
  Result Run(const std::vector<std::string>& args, absl::Duration timeout = absl::Seconds(60)) {
    std::string log = dir_.File(absl::StrCat("podman-", ++calls_, ".out"));
    auto process = Process::Start(kPodman, args, {{"CONTAINERS_CONF", conf_}}, log);
    if (!process.ok()) return {-1, process.status().ToString()};
    Result result;
    result.code = (*process)->Wait(timeout);
    result.output = ReadFile(log);
    return result;
  }

  // `podman run --detach` with the test's labels; the container's id ("" on failure).
  std::string Start(const std::string& name, std::vector<std::string> options,
                    const std::string& image, const std::vector<std::string>& args) {
    std::vector<std::string> all = {"run", "--detach", "--label=" + kLabel,
                                    absl::StrCat("--label=", kPidLabel, "=", getpid())};
    all.insert(all.end(), options.begin(), options.end());
    all.push_back(image);
    all.insert(all.end(), args.begin(), args.end());
    Result run = Run(all);
    EXPECT_EQ(run.code, 0) << "podman run " << name << ": " << run.output;
    if (run.code != 0) return "";
    // The id is the last line (podman may warn before it).
    std::vector<std::string> lines = absl::StrSplit(run.output, '\n', absl::SkipWhitespace());
    std::string id = lines.empty() ? "" : std::string(absl::StripAsciiWhitespace(lines.back()));
    ids_[name] = id;
    return id;
  }

  std::string Logs(const std::string& name) {
    auto it = ids_.find(name);
    if (it == ids_.end()) return "(not started)";
    return Tail(Run({"logs", it->second}).output);
  }
  std::string AllLogs() {
    std::string out;
    for (const auto& [name, id] : ids_) out += absl::StrCat("==== ", name, " (", id.substr(0, 12), ")\n", Logs(name));
    return out;
  }
  std::string Inspect(const std::string& name, const std::string& format) {
    return std::string(absl::StripAsciiWhitespace(Run({"inspect", "--format", format, ids_[name]}).output));
  }
  const std::map<std::string, std::string>& ids() const { return ids_; }

  // Removes containers of earlier runs whose test process is gone.
  void SweepStale() {
    Result list = Run({"ps", "--all", "--filter=label=" + kLabel,
                       "--format", absl::StrCat("{{.ID}} {{index .Labels \"", kPidLabel, "\"}}")});
    for (absl::string_view line : absl::StrSplit(list.output, '\n', absl::SkipWhitespace())) {
      std::vector<std::string> parts = absl::StrSplit(line, ' ');
      int pid = 0;
      if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &pid)) continue;
      if (kill(pid, 0) != 0 && errno == ESRCH) Run({"rm", "--force", "--volumes", "--time=2", parts[0]});
    }
  }

 private:
  std::string conf_;
  TempDir dir_;
  int calls_ = 0;
  std::map<std::string, std::string> ids_;  // name -> container id
};

class ContainersTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && podman_ != nullptr) {
      std::fprintf(stderr, "---- container logs ----\n%s\n", podman_->AllLogs().c_str());
    }
    podman_.reset();
  }

  // Waits for GET /path on 127.0.0.1:port to answer 200 (or the container to stop); on
  // failure prints the container's log.
  void ExpectServing(const std::string& name, int port, const std::string& path) {
    int polls = 0;
    bool stopped = false;
    bool serving = WaitFor(
        [&] {
          if (HttpCall(port, "GET", path).status == 200) return true;
          stopped = ++polls % 10 == 0 && podman_->Inspect(name, "{{.State.Running}}") != "true";
          return stopped;
        },
        absl::Seconds(30));
    EXPECT_TRUE(serving && !stopped)
        << name << " did not answer 200 on 127.0.0.1:" << port << path
        << "; its container log:\n" << podman_->Logs(name) << "\nstate: "
        << podman_->Inspect(name, "{{.State.Status}} exit {{.State.ExitCode}} {{.State.Error}}");
  }

  TempDir dir_;
  std::unique_ptr<Podman> podman_;
};

TEST_F(ContainersTest, TheSystemRunsFromItsImagesAndSyncsAHire) {
  ASSERT_EQ(geteuid(), 0u) << "the containers test needs root (rootful podman): run tests/run as root";
  ASSERT_EQ(access(kPodman.c_str(), X_OK), 0)
      << kPodman << " not found: run deploy/install-deps (Debian packages podman runc debootstrap catatonit)";
  std::string conf = dir_.File("containers.conf");
  podman_ = std::make_unique<Podman>(conf);

  // 1. The images, built at low priority so the tests running beside this one keep a core.
  absl::Time start = absl::Now();
  {
    std::string log = dir_.File("build-images.log");
    auto build = Process::Start("/usr/bin/nice", {"-n", "10", kSource + "/deploy/containers/build-images"},
                                {{"HIRESYNC_CONTAINERS_CONF", conf}}, log);
    ASSERT_TRUE(build.ok()) << build.status();
    int code = (*build)->Wait(absl::Minutes(15));
    ASSERT_EQ(code, 0) << "deploy/containers/build-images failed:\n" << Tail(ReadFile(log));
    std::printf("containers: build-images took %.0f s\n%s", absl::ToDoubleSeconds(absl::Now() - start),
                ReadFile(log).c_str());
  }
  podman_->SweepStale();
  const std::vector<std::string> images = {"hiresync-ingress", "hiresync-mapper", "hiresync-writer",
                                           "hiresync-notes", "goco-sandbox", "greenhouse-sandbox"};
  for (const std::string& image : images) {
    Podman::Result config = podman_->Run(
        {"image", "inspect", "--format", "{{.Config.User}} {{.Config.WorkingDir}} {{json .Config.Entrypoint}}",
         Image(image)});
    EXPECT_EQ(absl::StripAsciiWhitespace(config.output),
              absl::StrCat("10001:10001 /var/lib/hiresync [\"/usr/local/bin/", image, "\"]"))
        << image << ": user, working directory and entrypoint are not the contract's";
  }

  // 2. Configuration: the local stack's files, its URLs pointed at this run's ports.
  const int goco = FreePort(), greenhouse = FreePort(), webhook = FreePort();
  std::map<std::string, int> grpc, admin;
  for (const char* service : {"ingress", "mapper", "writer", "notes"}) {
    grpc[service] = FreePort();
    admin[service] = FreePort();
  }
  const std::string local = kSource + "/deploy/local";
  nlohmann::json config = nlohmann::json::parse(ReadFile(local + "/config.json"));
  for (auto& connection : config["connections"]) {
    connection["greenhouse"]["harvest_base_url"] = absl::StrCat("http://127.0.0.1:", greenhouse, "/v3");
    connection["greenhouse"]["token_url"] = absl::StrCat("http://127.0.0.1:", greenhouse, "/token");
    connection["goco"]["base_url"] = absl::StrCat("http://127.0.0.1:", goco, "/v1/companies/demo");
  }
  WriteFile(dir_.File("config.json"), config.dump(2));
  WriteFile(dir_.File("admin-token"), "containers-test-admin-token\n");

  const std::vector<std::string> locked_down = {
      "--network=host", "--read-only", "--cap-drop=ALL", "--user=10001:10001",
      "--security-opt=no-new-privileges",
      "--tmpfs=/var/lib/hiresync:rw,nosuid,nodev,size=64m,mode=0700,U",
      "--volume=" + local + "/secrets:/etc/hiresync/secrets:ro"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> all = locked_down;
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  };
  const std::string config_mount = "--volume=" + dir_.File("config.json") + ":/etc/hiresync/config.json:ro";
  auto listen = [&](const std::string& service) {
    return std::vector<std::string>{absl::StrCat("--grpc_listen=127.0.0.1:", grpc[service]),
                                    "--admin_host=127.0.0.1",
                                    absl::StrCat("--admin_listen_port=", admin[service])};
  };

  // 3. The sandboxes, seeded as deploy/local/up seeds them.
  start = absl::Now();
  ASSERT_FALSE(podman_->Start("goco-sandbox", locked_down, Image("goco-sandbox"),
                              {"--host", "127.0.0.1", "--port", std::to_string(goco), "--company", "demo",
                               "--api-key-file", "/etc/hiresync/secrets/demo-goco-api-key"})
                   .empty());
  ASSERT_FALSE(
      podman_
          ->Start("greenhouse-sandbox",
                  with({"--volume=" + local + "/greenhouse-seed.json:/etc/hiresync/greenhouse-seed.json:ro"}),
                  Image("greenhouse-sandbox"),
                  {"serve", "--host", "127.0.0.1", "--port", std::to_string(greenhouse), "--seed",
                   "/etc/hiresync/greenhouse-seed.json"})
          .empty());
  ExpectServing("goco-sandbox", goco, "/_sandbox/healthz");
  ExpectServing("greenhouse-sandbox", greenhouse, "/_sandbox/healthz");
  ASSERT_FALSE(HasFailure());
  HttpReply catalog =
      HttpCall(goco, "PUT", "/_sandbox/catalog?company=demo", ReadFile(local + "/goco-catalog.json"));
  ASSERT_EQ(catalog.status, 200) << catalog.body;

  // 4. The services; config, inbox and ledger paths are the images' defaults.
  ASSERT_FALSE(podman_->Start("mapper", locked_down, Image("hiresync-mapper"), listen("mapper")).empty());
  ASSERT_FALSE(podman_->Start("writer", with({config_mount}), Image("hiresync-writer"), listen("writer")).empty());
  ASSERT_FALSE(podman_->Start("notes", with({config_mount}), Image("hiresync-notes"), listen("notes")).empty());
  std::vector<std::string> ingress_args = listen("ingress");
  ingress_args.insert(ingress_args.end(),
                      {"--webhook_host=127.0.0.1", absl::StrCat("--webhook_port=", webhook),
                       absl::StrCat("--mapper_addr=127.0.0.1:", grpc["mapper"]),
                       absl::StrCat("--writer_addr=127.0.0.1:", grpc["writer"]),
                       absl::StrCat("--notes_addr=127.0.0.1:", grpc["notes"]), "--retry_base_ms=200",
                       "--admin_token_file=/etc/hiresync/admin-token"});
  ASSERT_FALSE(podman_
                   ->Start("ingress",
                           with({config_mount, "--volume=" + dir_.File("admin-token") +
                                                   ":/etc/hiresync/admin-token:ro"}),
                           Image("hiresync-ingress"), ingress_args)
                   .empty());
  for (const char* service : {"mapper", "writer", "notes", "ingress"}) {
    ExpectServing(service, admin[service], "/readyz");
  }
  ASSERT_FALSE(HasFailure());
  std::printf("containers: six containers up and ready in %.1f s\n", absl::ToDoubleSeconds(absl::Now() - start));

  // 5. Greenhouse's example hire, its resume at a greenhouse-sandbox URL, signed and sent by
  // the greenhouse-sandbox image (after a ping), as Greenhouse would.
  HttpReply put = HttpCall(greenhouse, "PUT", "/_sandbox/attachments/resume.pdf",
                           ReadFile(local + "/sample/resume.pdf"));
  ASSERT_EQ(put.status, 200) << put.body;
  HttpReply url = HttpCall(greenhouse, "POST", "/_sandbox/attachments/resume.pdf/url", "{}");
  ASSERT_EQ(url.status, 200) << url.body;
  std::string hire = ReadFile(FixturesDir() + "/hire_candidate.json");
  const std::string placeholder = "https://prod-heroku.s3.amazonaws.com/...";
  size_t at = hire.find(placeholder);
  ASSERT_NE(at, std::string::npos) << "no attachment URL in " << FixturesDir() << "/hire_candidate.json";
  hire.replace(at, placeholder.size(), nlohmann::json::parse(url.body)["url"].get<std::string>());
  WriteFile(dir_.File("hire.json"), hire);
  start = absl::Now();
  std::vector<std::string> send = {"run", "--rm", "--label=" + kLabel};
  for (const auto& option : with({"--volume=" + dir_.File("hire.json") + ":/etc/hiresync/hire.json:ro"})) {
    send.push_back(option);
  }
  send.insert(send.end(), {Image("greenhouse-sandbox"), "send", "--ping", "--url",
                           absl::StrCat("http://127.0.0.1:", webhook, "/v1/webhooks/greenhouse/demo"),
                           "--secret-file", "/etc/hiresync/secrets/demo-webhook-secret",
                           "/etc/hiresync/hire.json"});
  Podman::Result sent = podman_->Run(send, absl::Seconds(120));
  ASSERT_EQ(sent.code, 0) << "greenhouse-sandbox send:\n" << sent.output;

  // 6. The employee in GoCo's sandbox, with the resume; the note in Greenhouse's.
  nlohmann::json employees;
  bool synced = WaitFor(
      [&] {
        HttpReply reply = HttpCall(goco, "GET", "/_sandbox/employees?company=demo");
        employees = nlohmann::json::parse(reply.body, nullptr, false);
        return reply.status == 200 && employees.contains("data") && !employees["data"].empty() &&
               !employees["data"][0]["documents"].empty();
      },
      absl::Seconds(60));
  ASSERT_TRUE(synced) << "no employee with a document in goco-sandbox after 60 s: " << employees.dump(2);
  std::printf("containers: webhook to employee in %.1f s\n", absl::ToDoubleSeconds(absl::Now() - start));
  ASSERT_EQ(employees["data"].size(), 1u) << employees.dump(2);
  EXPECT_EQ(employees["data"][0]["first_name"], "Johnny");
  EXPECT_EQ(employees["data"][0]["last_name"], "Smith");
  EXPECT_EQ(employees["data"][0]["documents"][0]["filename"], "resume.pdf");
  HttpReply notes;
  EXPECT_TRUE(WaitFor(
      [&] {
        notes = HttpCall(greenhouse, "GET", "/_sandbox/notes?candidate_id=35897443");
        return notes.status == 200 && notes.body.find("[hiresync") != std::string::npos;
      },
      absl::Seconds(30)))
      << "no note from hiresync-notes on candidate 35897443: " << notes.body;

  // 7. hiresyncctl inside the ingress image (as `kubectl exec` runs it) sees the event DONE.
  Podman::Result events;
  EXPECT_TRUE(WaitFor(
      [&] {
        events = podman_->Run({"exec", podman_->ids().at("ingress"), "/usr/local/bin/hiresyncctl",
                               absl::StrCat("--addr=127.0.0.1:", grpc["ingress"]),
                               "--token_file=/etc/hiresync/admin-token", "events"});
        return events.code == 0 && events.output.find("DONE") != std::string::npos;
      },
      absl::Seconds(30)))
      << "hiresyncctl events in the ingress container: " << events.output;

  // 8. Health, nothing restarted, and SIGTERM (podman stop) ends each service cleanly: the
  // binary is PID 1 and handles it.
  for (const char* service : {"mapper", "writer", "notes", "ingress"}) {
    EXPECT_EQ(HttpCall(admin[service], "GET", "/healthz").status, 200) << service;
    EXPECT_EQ(HttpCall(admin[service], "GET", "/readyz").status, 200) << service;
  }
  for (const auto& [name, id] : podman_->ids()) {
    EXPECT_EQ(podman_->Inspect(name, "{{.State.Status}} {{.RestartCount}}"), "running 0") << name;
  }
  for (const char* service : {"ingress", "notes", "writer", "mapper"}) {
    Podman::Result stop = podman_->Run({"stop", "--time=25", podman_->ids().at(service)}, absl::Seconds(40));
    EXPECT_EQ(stop.code, 0) << stop.output;
    EXPECT_EQ(podman_->Inspect(service, "{{.State.ExitCode}}"), "0")
        << service << " did not exit 0 on SIGTERM; its log:\n" << podman_->Logs(service);
  }
}

}  // namespace
}  // namespace hiresync::testing
