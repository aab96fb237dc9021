// The project's observability files against a real Prometheus (Debian's `prometheus`)
// scraping the real services on loopback: deploy/observability/prometheus.yml (its
// intervals shortened, its targets file pointed at the run-time ports), alerts.yaml loaded
// and evaluated, and every query of dashboard.json run after a hire went through.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/integration/stack.h"
#include "tests/support/process.h"

namespace hiresync::testing {
namespace {

using Json = nlohmann::json;

std::string ObservabilityFile(const std::string& name) {
  return std::string(HIRESYNC_SOURCE_DIR) + "/deploy/observability/" + name;
}

// Prometheus's HTTP API on 127.0.0.1.
class PrometheusApi {
 public:
  explicit PrometheusApi(int port) : port_(port) {}

  // The answer's JSON ({"status": "success"|"error", ...}); null when there was none.
  Json Get(const std::string& path, const httplib::Params& params = {}) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(10, 0);
    auto res = client.Get(path, params, httplib::Headers{});
    if (!res) return nullptr;
    Json body = Json::parse(res->body, nullptr, false);
    return body.is_discarded() ? Json(nullptr) : body;
  }
  Json Query(const std::string& expr) const { return Get("/api/v1/query", {{"query", expr}}); }
  // The value of a query whose answer is one sample; NaN otherwise.
  double Value(const std::string& expr) const {
    Json answer = Query(expr);
    if (answer.is_null() || answer["status"] != "success") return NAN;
    const Json& result = answer["data"]["result"];
    if (!result.is_array() || result.size() != 1) return NAN;
    return std::stod(result[0]["value"][1].get<std::string>());
  }

 private:
  int port_;
};

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The project's metric names (hiresync_*, grpc_server_*) an expression uses.
std::set<std::string> MetricNames(const std::string& expr) {
  std::set<std::string> names;
  for (const char* prefix : {"hiresync_", "grpc_server_"}) {
    for (size_t at = expr.find(prefix); at != std::string::npos; at = expr.find(prefix, at + 1)) {
      if (at > 0 &&
          (std::isalnum(static_cast<unsigned char>(expr[at - 1])) || expr[at - 1] == '_')) {
        continue;
      }
      size_t end = at;
      while (end < expr.size() &&
             (std::isalnum(static_cast<unsigned char>(expr[end])) || expr[end] == '_')) {
        ++end;
      }
      names.insert(expr.substr(at, end - at));
    }
  }
  return names;
}

// Each sample of an instant query's answer, as a number (NaN for "NaN").
std::vector<double> Samples(const Json& answer) {
  std::vector<double> out;
  const Json& data = answer["data"];
  if (data["resultType"] == "scalar") {
    out.push_back(std::stod(data["result"][1].get<std::string>()));
    return out;
  }
  for (const Json& series : data["result"]) {
    out.push_back(std::stod(series["value"][1].get<std::string>()));
  }
  return out;
}

// Every panel of a dashboard, rows' collapsed panels included.
void CollectPanels(const Json& panels, std::vector<Json>* out) {
  for (const Json& panel : panels) {
    out->push_back(panel);
    if (panel.contains("panels")) CollectPanels(panel["panels"], out);
  }
}

class PrometheusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(stack_.Start());
    ASSERT_NO_FATAL_FAILURE(WriteConfig());
    port_ = FreePort();
    auto prometheus = Process::Start(
        HIRESYNC_PROMETHEUS,
        {"--config.file=" + dir_.File("prometheus.yml"), "--storage.tsdb.path=" + dir_.File("data"),
         absl::StrCat("--web.listen-address=127.0.0.1:", port_)},
        {}, dir_.File("prometheus.log"));
    ASSERT_TRUE(prometheus.ok()) << prometheus.status();
    prometheus_ = std::move(*prometheus);
  }

  void TearDown() override {
    if (HasFailure()) {
      std::fprintf(stderr, "---- prometheus log ----\n%s\n", prometheus_->Log().c_str());
    }
    prometheus_.reset();  // SIGTERM, then waits for it
  }

  // The project's prometheus.yml with only its two intervals shortened, alerts.yaml beside
  // it, and targets/ holding the project's local targets with the stack's admin ports.
  void WriteConfig() {
    std::string config = ReadFile(ObservabilityFile("prometheus.yml"));
    for (const char* key : {"scrape_interval: 15s", "evaluation_interval: 15s"}) {
      ASSERT_EQ(Occurrences(config, key), 1u)
          << "prometheus.yml has no single `" << key << "`: update this test's substitution";
    }
    config = absl::StrReplaceAll(config, {{"scrape_interval: 15s", "scrape_interval: 1s"},
                                          {"evaluation_interval: 15s", "evaluation_interval: 1s"}});
    WriteFile(dir_.File("prometheus.yml"), config);
    WriteFile(dir_.File("alerts.yaml"), ReadFile(ObservabilityFile("alerts.yaml")));

    // The README's local admin ports, as the project's targets file lists them.
    const std::map<std::string, int> ports = {{"127.0.0.1:9101", stack_.ingress_admin},
                                              {"127.0.0.1:9102", stack_.mapper_admin},
                                              {"127.0.0.1:9103", stack_.writer_admin},
                                              {"127.0.0.1:9104", stack_.notes_admin}};
    Json targets = Json::parse(ReadFile(ObservabilityFile("targets/local.json")));
    for (Json& group : targets) {
      for (Json& target : group["targets"]) {
        auto port = ports.find(target.get<std::string>());
        ASSERT_NE(port, ports.end())
            << "targets/local.json lists " << target << ", not a service's admin port";
        target = absl::StrCat("127.0.0.1:", port->second);
      }
      services_.insert(group["labels"]["service"].get<std::string>());
    }
    ASSERT_EQ(services_.size(), 4u) << targets.dump();
    std::filesystem::create_directories(dir_.File("targets"));
    WriteFile(dir_.File("targets/stack.json"), targets.dump(2));
  }

  Stack stack_;
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<Process> prometheus_;
  std::set<std::string> services_;
};

TEST_F(PrometheusTest, ScrapesEveryServiceAndEvaluatesTheDashboardAndAlerts) {
  PrometheusApi api(port_);

  // Every target of the project's file is up, each with its service label.
  ASSERT_TRUE(WaitFor(
      [&] {
        if (!prometheus_->Running()) return true;  // reported below, with its log
        Json answer = api.Query("up == 1");
        if (answer.is_null() || answer["status"] != "success") return false;
        std::set<std::string> up;
        for (const Json& s : answer["data"]["result"]) up.insert(s["metric"].value("service", ""));
        return up == services_;
      },
      absl::Seconds(30)))
      << api.Get("/api/v1/targets").dump(2);
  ASSERT_TRUE(prometheus_->Running()) << "prometheus exited: is the project's configuration valid?";
  Json targets = api.Get("/api/v1/targets");
  ASSERT_EQ(targets["data"]["activeTargets"].size(), 4u) << targets.dump(2);
  for (const Json& target : targets["data"]["activeTargets"]) {
    EXPECT_EQ(target["labels"]["job"], "hiresync");
    EXPECT_EQ(target["health"], "up") << target.dump(2);
  }

  // Before any hire: the alerting series are there, at 0.
  EXPECT_EQ(api.Value(R"(hiresync_events_finished_total{connection="demo",outcome="dead"})"), 0);
  EXPECT_EQ(api.Value(R"(hiresync_webhooks_received_total{connection="demo",outcome="accepted"})"),
            0);
  EXPECT_EQ(api.Value(R"(hiresync_goco_credentials_rejected_total{connection="demo"})"), 0);
  EXPECT_EQ(api.Value(R"(hiresync_oldest_pending_event_timestamp_seconds{connection="demo"})"), 0);
  EXPECT_EQ(api.Value(R"(hiresync_connection_paused{connection="demo"})"), 0);

  // A first hire, scraped: a series born at its first increment shows no rate until
  // that value has been scraped once.
  std::string hire = stack_.HireFixture();
  ASSERT_EQ(stack_.SendWebhook(hire, "evt-first").status, 200);
  ASSERT_TRUE(stack_.WaitForDone(1)) << stack_.Logs();
  ASSERT_TRUE(WaitFor(
      [&] {
        return api.Value("sum(hiresync_goco_requests_total)") > 0 &&
               api.Value("sum(hiresync_harvest_requests_total)") > 0;
      },
      absl::Seconds(15)));

  // Another candidate's hire whose first GoCo create answers 503 (retried), delivered
  // twice, and three deliveries with a bad signature.
  stack_.GoCoTest("POST", "/_sandbox/faults?company=demo",
                  {{"method", "POST"}, {"path", "/employees"}, {"status", 503}, {"count", 1}});
  Json second = Json::parse(hire);
  Json& application = second["payload"]["application"];
  application["id"] = application["id"].get<int64_t>() + 1;
  application["candidate"]["id"] = kFirstCandidateId + 1;
  application["candidate"]["first_name"] = "Observed";
  ASSERT_EQ(stack_.SendWebhook(second.dump(), "evt-second").status, 200);
  ASSERT_EQ(stack_.SendWebhook(second.dump(), "evt-second").status, 200);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(stack_.SendWebhook(hire, "", "demo", "not-the-secret").status, 401);
  }
  ASSERT_TRUE(stack_.WaitForDone(2)) << stack_.Logs();
  ASSERT_EQ(stack_.Employees().size(), 2u);

  // The sync counters move in Prometheus.
  const std::vector<std::pair<std::string, double>> moved = {
      {R"(sum(hiresync_webhooks_received_total{connection="demo",outcome="accepted"}))", 2},
      {R"(sum(hiresync_webhooks_received_total{connection="demo",outcome="duplicate"}))", 1},
      {R"(sum(hiresync_webhooks_received_total{connection="demo",outcome="bad_signature"}))", 3},
      {R"(sum(hiresync_events_finished_total{connection="demo",outcome="created_with_warnings"}))",
       2},
      {R"(sum(hiresync_event_retries_total{connection="demo",step="write"}))", 1},
      {R"(sum(hiresync_writer_outcomes_total{connection="demo",outcome="created"}))", 2},
      {R"(sum(hiresync_goco_requests_total{route="POST /employees",status_class="5xx"}))", 1},
      {R"(sum(hiresync_goco_requests_total{route="POST /employees",status_class="2xx"}))", 2},
      {R"(sum(hiresync_notes_written_total{connection="demo",kind="synced_with_warnings"}))", 2},
      {R"(sum(hiresync_hire_to_employee_seconds_count))", 2},
      {R"(sum(grpc_server_handled_total{service="hiresync-writer",grpc_method="Write",grpc_code="OK"}))",
       3},
      {R"(max(hiresync_events{state="DONE"}))", 2},
  };
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& [expr, want] : moved) {
          if (!(api.Value(expr) >= want)) return false;
        }
        return true;
      },
      absl::Seconds(30)))
      << [&] {
           std::string seen;
           for (const auto& [expr, want] : moved) {
             absl::StrAppend(&seen, expr, " = ", api.Value(expr), " (want >= ", want, ")\n");
           }
           return seen;
         }();

  // Every dashboard query parses and returns data, with its variables as Grafana would set
  // them for "All" over the last hour at a 15 s scrape interval.
  Json dashboard = Json::parse(ReadFile(ObservabilityFile("dashboard.json")));
  std::vector<std::pair<std::string, std::string>> variables = {
      {"$__rate_interval", "1m"}, {"$__range", "1h"}, {"$__interval", "15s"}};
  for (const Json& variable : dashboard["templating"]["list"]) {
    if (variable["type"] != "query") continue;
    variables.emplace_back("$" + variable["name"].get<std::string>(),
                           variable["allValue"].get<std::string>());
    // label_values(SELECTOR, LABEL): the label's values among the selected series.
    std::string query = variable["query"]["query"];
    ASSERT_TRUE(absl::StartsWith(query, "label_values(")) << query;
    size_t comma = query.rfind(',');
    std::string selector = query.substr(13, comma - 13);
    std::string label = query.substr(comma + 1, query.size() - comma - 2);
    label.erase(0, label.find_first_not_of(' '));
    Json values = api.Get("/api/v1/label/" + label + "/values", {{"match[]", selector}});
    ASSERT_EQ(values["status"], "success") << query << "\n" << values.dump();
    EXPECT_FALSE(values["data"].empty()) << "variable " << variable["name"] << ": " << query;
  }
  std::vector<Json> panels;
  CollectPanels(dashboard["panels"], &panels);
  int queries = 0, with_data = 0;
  for (const Json& panel : panels) {
    if (panel["type"] == "row") continue;
    EXPECT_FALSE(panel.value("description", "").empty()) << panel["title"] << " has no description";
    ASSERT_TRUE(panel.contains("targets")) << panel["title"];
    for (const Json& target : panel["targets"]) {
      std::string expr = target["expr"];
      // Longest names first: $__range is not a prefix of $__rate_interval, but be safe.
      std::sort(variables.begin(), variables.end(),
                [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
      expr = absl::StrReplaceAll(expr, variables);
      ASSERT_FALSE(absl::StrContains(expr, "$")) << panel["title"] << ": " << expr;
      Json answer = api.Query(expr);
      ++queries;
      ASSERT_FALSE(answer.is_null()) << expr;
      EXPECT_EQ(answer["status"], "success") << panel["title"] << ": " << expr << "\n"
                                             << answer.dump();
      if (answer["status"] != "success") continue;
      std::vector<double> samples = Samples(answer);
      bool data =
          std::any_of(samples.begin(), samples.end(), [](double v) { return std::isfinite(v); });
      with_data += data ? 1 : 0;
      EXPECT_TRUE(data) << "no data for panel \"" << panel["title"].get<std::string>()
                        << "\": " << expr << "\n"
                        << answer.dump();
    }
  }
  EXPECT_GE(queries, 30);
  std::fprintf(stderr, "dashboard: %d of %d queries (%zu panels) returned data\n", with_data,
               queries, panels.size());

  // Every rule of alerts.yaml is loaded, evaluates without error, and each expression is a
  // query Prometheus runs.
  const size_t alert_count = Occurrences(ReadFile(ObservabilityFile("alerts.yaml")), "- alert: ");
  Json rules;
  ASSERT_TRUE(WaitFor(
      [&] {
        rules = api.Get("/api/v1/rules");
        if (rules.is_null() || rules["status"] != "success") return false;
        size_t evaluated = 0;
        for (const Json& group : rules["data"]["groups"]) {
          for (const Json& rule : group["rules"]) {
            if (rule["health"] == "ok") ++evaluated;
          }
        }
        return evaluated == alert_count;
      },
      absl::Seconds(15)))
      << rules.dump(2);
  for (const Json& group : rules["data"]["groups"]) {
    for (const Json& rule : group["rules"]) {
      Json answer = api.Query(rule["query"]);
      EXPECT_EQ(answer["status"], "success") << rule["name"] << ": " << answer.dump();
      // A misspelt metric would make the rule silently never fire.
      for (const std::string& name : MetricNames(rule["query"])) {
        EXPECT_GT(api.Value(absl::StrCat("count({__name__=\"", name, "\"})")), 0)
            << rule["name"] << " uses " << name << ", which no service serves";
      }
    }
  }

  // On this healthy stack only the bad signatures alert, for demo.
  ASSERT_TRUE(WaitFor(
      [&] {
        Json alerts = api.Get("/api/v1/alerts");
        for (const Json& alert : alerts["data"]["alerts"]) {
          if (alert["state"] == "firing" &&
              alert["labels"]["alertname"] == "HiresyncWebhookBadSignatures" &&
              alert["labels"]["connection"] == "demo") {
            return true;
          }
        }
        return false;
      },
      absl::Seconds(15)))
      << api.Get("/api/v1/alerts").dump(2);
  for (const Json& alert : api.Get("/api/v1/alerts")["data"]["alerts"]) {
    if (alert["state"] != "firing") continue;
    EXPECT_EQ(alert["labels"]["alertname"], "HiresyncWebhookBadSignatures") << alert.dump(2);
  }

  // demo paused in its config (a reload): a third hire waits, and Prometheus sees both that
  // it waits and why (the backlog alert leaves paused connections out).
  Json config = stack_.Config();
  config["connections"][0]["state"] = "PAUSED";
  stack_.ReloadConfig(config);
  ASSERT_TRUE(WaitFor([&] {
    return stack_.ingress()->Log().find("config reloaded") != std::string::npos;
  })) << stack_.Logs();
  application["id"] = application["id"].get<int64_t>() + 1;
  application["candidate"]["id"] = kFirstCandidateId + 2;
  ASSERT_EQ(stack_.SendWebhook(second.dump(), "evt-third").status, 200);
  const std::string paused = R"(max(hiresync_connection_paused{connection="demo"}))";
  const std::string oldest =
      R"(max(hiresync_oldest_pending_event_timestamp_seconds{connection="demo"}))";
  ASSERT_TRUE(
      WaitFor([&] { return api.Value(paused) == 1 && api.Value(oldest) > 0; }, absl::Seconds(20)))
      << paused << " = " << api.Value(paused) << ", " << oldest << " = " << api.Value(oldest);
  EXPECT_EQ(stack_.InboxCount("RECEIVED"), 1);
  EXPECT_NEAR(api.Value(oldest), absl::ToUnixSeconds(absl::Now()), 60);
}

}  // namespace
}  // namespace hiresync::testing
