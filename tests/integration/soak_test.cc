// Soak: thousands of hires through the whole stack while GoCo fails 10% of creates and
// uploads with 503, every GoCo call takes 1-20 ms, Greenhouse re-delivers some webhooks and
// re-sends some applications with a changed body, and the writer is SIGKILLed and restarted
// half-way. In the end: one GoCo employee per distinct hire, each with its one document,
// nothing DEAD, and exactly the notes the hires' warnings call for (one each, never two).
//
// Every hire is its own Greenhouse candidate with its own name (the duplicate rule is first
// + last name), seeded into greenhouse-sandbox so a note on it is accepted. Every tenth hire
// has a department GoCo does not have: it syncs with a warning and gets one note, which puts
// the notes' exactly-once under the same faults and restart. HIRESYNC_SOAK_HIRES sets the
// number of distinct hires.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/integration/stack.h"

namespace hiresync::testing {
namespace {

constexpr int kDefaultHires = 2000;
constexpr int kSenderThreads = 4;
constexpr int64_t kFirstSoakCandidate = 60000000;
constexpr int64_t kFirstSoakApplication = 80000000;

int SoakHires() {
  const char* env = std::getenv("HIRESYNC_SOAK_HIRES");
  if (env == nullptr || *env == '\0') return kDefaultHires;
  int n = std::atoi(env);
  EXPECT_GT(n, 0) << "HIRESYNC_SOAK_HIRES must be a positive number of hires, not \"" << env
                  << "\"";
  return n > 0 ? n : kDefaultHires;
}

bool Warned(int i) { return i % 10 == 4; }
bool Redelivered(int i) { return i % 5 == 0; }
bool Changed(int i) { return i % 7 == 3; }

// Hire i: candidate kFirstSoakCandidate + i named "Soak Hire<i>", synced without warnings
// (mobile phone, one office, the offer's "Job Title" and "Employment Type" in GoCo's catalog,
// the resume at `resume_url`), except that a Warned() hire's department is not in GoCo.
// `changed` moves the start date, as when the offer is edited and the hire sent again.
std::string SoakHire(const nlohmann::json& fixture, int i, bool changed) {
  nlohmann::json hire = fixture;
  auto& application = hire["payload"]["application"];
  application["id"] = kFirstSoakApplication + i;
  auto& candidate = application["candidate"];
  candidate["id"] = kFirstSoakCandidate + i;
  candidate["first_name"] = "Soak";
  candidate["last_name"] = absl::StrCat("Hire", i);
  candidate["email_addresses"] = {
      {{"value", absl::StrCat("soak", i, "@example.com")}, {"type", "personal"}}};
  candidate["phone_numbers"] = {{{"value", "646-555-0134"}, {"type", "mobile"}}};
  auto& job = application["jobs"][0];
  job["offices"].erase(1);
  if (Warned(i)) job["departments"][0]["name"] = "Research";
  auto& offer = application["offer"];
  offer["starts_at"] = changed ? "2015-02-02" : "2015-01-23";
  offer["custom_fields"]["job_title"] = {
      {"name", "Job Title"}, {"type", "short_text"}, {"value", "Software Engineer"}};
  offer["custom_fields"]["employment_type"] = {
      {"name", "Employment Type"}, {"type", "single_select"}, {"value", "Full-time"}};
  return hire.dump();
}

struct Delivery {
  std::string body;
  std::string event_id;
  bool redelivery = false;
};

TEST(SoakTest, EveryHireOnceUnderGoCoFaultsRedeliveriesAndAWriterRestart) {
  const int hires = SoakHires();
  Stack stack;
  ASSERT_NO_FATAL_FAILURE(stack.Start());

  nlohmann::json candidates = nlohmann::json::array();
  for (int i = 0; i < hires; ++i) {
    candidates.push_back({{"id", kFirstSoakCandidate + i},
                          {"first_name", "Soak"},
                          {"last_name", absl::StrCat("Hire", i)}});
  }
  // Harvest's default limit (50 calls per 30 s) would make the notes, not the sync, the
  // bottleneck; the limit's own handling is covered by notes_flow_test.
  stack.GreenhouseTest(
      "PUT", "/_sandbox/seed",
      {{"candidates", candidates}, {"rate_limit", {{"limit", 1000000}, {"window_seconds", 30}}}});
  for (const char* path : {"/*", "/*/*", "/*/*/*"}) {
    stack.GoCoTest("POST", "/_sandbox/faults",
                   {{"path", path},
                    {"latency_ms_min", 1},
                    {"latency_ms_max", 20},
                    {"probability", 1.0},
                    {"seed", 11}});
  }
  stack.GoCoTest("POST", "/_sandbox/faults",
                 {{"method", "POST"},
                  {"path", "/employees"},
                  {"status", 503},
                  {"probability", 0.1},
                  {"seed", 12}});
  stack.GoCoTest("POST", "/_sandbox/faults",
                 {{"method", "POST"},
                  {"path", "/employees/*/documents"},
                  {"status", 503},
                  {"probability", 0.1},
                  {"seed", 13}});
  ASSERT_FALSE(::testing::Test::HasFailure());

  nlohmann::json fixture = nlohmann::json::parse(stack.HireFixture());
  // Originals in order; a re-delivery of hire i-25 (same body and event id) every fifth
  // hire; a changed body of hire i right after it every seventh.
  std::vector<Delivery> deliveries;
  constexpr int kRedeliveryLag = 25;
  int changed = 0;
  for (int i = 0; i < hires; ++i) {
    deliveries.push_back({SoakHire(fixture, i, false), absl::StrCat("soak-", i), false});
    int earlier = i - kRedeliveryLag;
    if (earlier >= 0 && Redelivered(earlier)) {
      deliveries.push_back(
          {SoakHire(fixture, earlier, false), absl::StrCat("soak-", earlier), true});
    }
    if (Changed(i)) {
      deliveries.push_back(
          {SoakHire(fixture, i, true), absl::StrCat("soak-", i, "-changed"), false});
      ++changed;
    }
  }
  for (int earlier = std::max(0, hires - kRedeliveryLag); earlier < hires; ++earlier) {
    if (Redelivered(earlier)) {
      deliveries.push_back(
          {SoakHire(fixture, earlier, false), absl::StrCat("soak-", earlier), true});
    }
  }
  const int64_t distinct_bodies = hires + changed;

  absl::Time start = absl::Now();
  std::atomic<size_t> next{0};
  std::atomic<int64_t> accepted{0}, duplicates{0}, refused{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < kSenderThreads; ++t) {
    senders.emplace_back([&] {
      for (size_t at = next++; at < deliveries.size(); at = next++) {
        const Delivery& delivery = deliveries[at];
        Stack::Answer answer;
        // Greenhouse retries anything but a 200.
        for (int attempt = 0; attempt < 5 && answer.status != 200; ++attempt) {
          answer = stack.SendWebhook(delivery.body, delivery.event_id);
        }
        if (answer.status != 200) {
          ++refused;
        } else if (absl::StrContains(answer.body, "\"accepted\"")) {
          ++accepted;
        } else if (absl::StrContains(answer.body, "\"duplicate\"")) {
          ++duplicates;
        } else {
          ++refused;
        }
      }
    });
  }

  // Everything must be DONE within this, inside ctest's TIMEOUT of 300 s.
  const absl::Time deadline = start + absl::Seconds(270);
  // Half-way through, the writer dies mid-stream and comes back.
  bool halfway = WaitFor([&] { return stack.InboxCount("DONE") >= distinct_bodies / 2; },
                         deadline - absl::Now());
  EXPECT_TRUE(halfway) << "half the hires were not DONE within the deadline";
  int64_t done_at_kill = stack.InboxCount("DONE");
  stack.StopWriter(SIGKILL);
  stack.StartWriter();
  for (auto& sender : senders) sender.join();
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_LT(done_at_kill, distinct_bodies) << "the writer was killed after everything was done";

  bool done = WaitFor(
      [&] { return stack.InboxCount("DONE") + stack.InboxCount("DEAD") >= distinct_bodies; },
      deadline - absl::Now());
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  int64_t done_count = stack.InboxCount("DONE");
  int64_t dead = stack.InboxCount("DEAD");

  nlohmann::json employees = stack.Employees();
  std::map<std::string, int> employees_per_candidate;
  int documents_wrong = 0;
  for (const auto& employee : employees) {
    ++employees_per_candidate[employee.value("external_ids", nlohmann::json::object())
                                  .value("greenhouse_candidate_id", "")];
    if (employee["documents"].size() != 1) ++documents_wrong;
  }
  std::set<std::string> expected_candidates;
  for (int i = 0; i < hires; ++i) expected_candidates.insert(absl::StrCat(kFirstSoakCandidate + i));
  std::set<std::string> seen_candidates;
  std::vector<std::string> twice;
  for (const auto& [candidate, count] : employees_per_candidate) {
    seen_candidates.insert(candidate);
    if (count > 1) twice.push_back(candidate);
  }

  nlohmann::json notes = stack.GreenhouseTest("GET", "/_sandbox/notes");
  std::map<int64_t, int> notes_per_candidate;
  for (const auto& note : notes) ++notes_per_candidate[note["candidate_id"].get<int64_t>()];
  int wrong_notes = 0;
  std::string wrong_notes_example;
  int warned = 0;
  for (int i = 0; i < hires; ++i) {
    int want = Warned(i) ? 1 : 0;
    warned += want;
    int have = notes_per_candidate[kFirstSoakCandidate + i];
    if (have != want) {
      if (wrong_notes++ == 0) {
        wrong_notes_example = absl::StrCat("candidate ", kFirstSoakCandidate + i, " (hire ", i,
                                           Changed(i) ? ", sent twice with a changed body" : "",
                                           ") has ", have, " notes, expected ", want, ":");
        for (const auto& note : notes) {
          if (note["candidate_id"] == kFirstSoakCandidate + i) {
            absl::StrAppend(&wrong_notes_example, "\n  ", note.value("body", ""));
          }
        }
      }
    }
  }

  std::printf(
      "soak: sent=%zu, distinct=%d, employees=%zu, notes=%zu, dead=%lld, duration=%.1fs, "
      "hires/s=%.1f\n",
      deliveries.size(), hires, employees.size(), notes.size(), static_cast<long long>(dead),
      seconds, hires / seconds);
  std::fflush(stdout);

  EXPECT_TRUE(done) << "only " << done_count << " of " << distinct_bodies
                    << " events finished within the deadline";
  EXPECT_EQ(dead, 0);
  EXPECT_EQ(done_count, distinct_bodies);
  EXPECT_EQ(stack.InboxCount(), distinct_bodies);
  EXPECT_EQ(refused, 0);
  EXPECT_EQ(accepted, distinct_bodies);
  EXPECT_EQ(duplicates, static_cast<int64_t>(deliveries.size()) - distinct_bodies);
  EXPECT_EQ(employees.size(), static_cast<size_t>(hires));
  EXPECT_TRUE(twice.empty()) << twice.size() << " candidates have several employees, e.g. "
                             << twice.front();
  EXPECT_EQ(seen_candidates, expected_candidates);
  EXPECT_EQ(documents_wrong, 0) << "employees without exactly one document";
  EXPECT_EQ(static_cast<int>(notes.size()), warned);
  EXPECT_EQ(wrong_notes, 0) << wrong_notes << " candidates with the wrong number of notes, e.g. "
                            << wrong_notes_example;
  // The faults did fire: the run went through retries, not around them.
  nlohmann::json faults = stack.GoCoTest("GET", "/_sandbox/faults")["faults"];
  for (const auto& fault : faults) {
    if (fault.contains("status")) {
      EXPECT_GT(fault["fired"].get<int64_t>(), 0) << fault.dump();
    }
  }
}

}  // namespace
}  // namespace hiresync::testing
