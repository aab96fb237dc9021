// SIGTERM while hires are in flight: the service stops being ready at once (/readyz is 503
// or closed, never 200, from the signal on), exits 0 within a bounded time, and once it is
// back every hire is DONE with exactly one GoCo employee. And an idle service's SIGTERM
// exits 0 quickly.
#include <gtest/gtest.h>
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "httplib.h"
#include "tests/integration/stack.h"

namespace hiresync::testing {
namespace {

constexpr absl::Duration kExitBound = absl::Seconds(15);

int64_t GoCoRequests(Stack& stack, const std::string& method, const std::string& path) {
  return stack.GoCoTest("GET", absl::StrCat("/_sandbox/requests?method=", method, "&path=", path))
      .value("count", int64_t{-1});
}

// kill() only queues the signal: a /readyz call the service answers before it has run its
// signal handling can still be 200. So a 200 may only come first, from a call sent within
// this long of the signal; after the first non-200 answer there must be no 200 again.
constexpr absl::Duration kSignalDelivery = absl::Milliseconds(250);

struct Answer {
  int status = 0;       // 0: connection refused or closed
  absl::Duration sent;  // after the signal
};

struct Stopped {
  int exit_code = -1;
  absl::Duration took;
  std::vector<Answer> readyz;  // each change of answer after the signal
};

// Sends SIGTERM to `process` and, from that moment until it exits (at most kExitBound),
// polls its /readyz on `admin_port`.
Stopped Terminate(Process* process, int admin_port) {
  Stopped stopped;
  absl::Time start = absl::Now();
  process->Signal(SIGTERM);
  while (process->Running() && absl::Now() - start < kExitBound) {
    httplib::Client client("127.0.0.1", admin_port);
    client.set_connection_timeout(0, 200000);
    client.set_read_timeout(1, 0);
    absl::Duration sent = absl::Now() - start;
    auto res = client.Get("/readyz");
    int status = res ? res->status : 0;
    if (stopped.readyz.empty() || stopped.readyz.back().status != status) {
      stopped.readyz.push_back({status, sent});
    }
  }
  absl::Duration left = kExitBound - (absl::Now() - start);
  stopped.exit_code = process->Wait(left > absl::ZeroDuration() ? left : absl::Milliseconds(1));
  stopped.took = absl::Now() - start;
  return stopped;
}

std::string Describe(const Stopped& stopped) {
  std::string out = absl::StrCat("exit ", stopped.exit_code, " after ",
                                 absl::FormatDuration(stopped.took), "; /readyz answers:");
  for (const Answer& answer : stopped.readyz) {
    absl::StrAppend(&out, " ", answer.status == 0 ? "closed" : absl::StrCat(answer.status),
                    " (from ", absl::FormatDuration(answer.sent), ")");
  }
  return out;
}

void ExpectCleanStop(const Stopped& stopped, const std::string& who) {
  EXPECT_EQ(stopped.exit_code, 0) << who << ": " << Describe(stopped);
  EXPECT_LT(stopped.took, kExitBound) << who << ": " << Describe(stopped);
  ASSERT_FALSE(stopped.readyz.empty()) << who << ": " << Describe(stopped);
  for (size_t i = 0; i < stopped.readyz.size(); ++i) {
    const Answer& answer = stopped.readyz[i];
    EXPECT_TRUE(answer.status == 200 || answer.status == 503 || answer.status == 0)
        << who << ": " << Describe(stopped);
    if (answer.status == 200) {
      EXPECT_EQ(i, 0u) << who << " said ready again after saying not ready: " << Describe(stopped);
      EXPECT_LT(answer.sent, kSignalDelivery)
          << who << " still said ready well after SIGTERM: " << Describe(stopped);
    }
  }
  std::printf("%s: %s\n", who.c_str(), Describe(stopped).c_str());
}

// The employees GoCo has per Greenhouse candidate id.
std::map<std::string, int> EmployeesPerCandidate(Stack& stack) {
  std::map<std::string, int> per;
  for (const auto& employee : stack.Employees()) {
    ++per[employee.value("external_ids", nlohmann::json::object())
              .value("greenhouse_candidate_id", "")];
  }
  return per;
}

void ExpectOneEmployeeEach(Stack& stack, int hires) {
  auto per = EmployeesPerCandidate(stack);
  EXPECT_EQ(per.size(), static_cast<size_t>(hires));
  for (int n = 0; n < hires; ++n) {
    EXPECT_EQ(per[absl::StrCat(kFirstCandidateId + n)], 1) << "hire " << n;
  }
  EXPECT_EQ(stack.Employees().size(), static_cast<size_t>(hires));
}

TEST(ShutdownTest, IngressSigtermWithHiresInFlightExitsZeroAndResumesAfterRestart) {
  Stack stack;
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  stack.GoCoTest(
      "POST", "/_sandbox/faults",
      {{"method", "POST"}, {"path", "/employees"}, {"latency_ms", 500}, {"probability", 1.0}});
  constexpr int kHires = 8;
  for (int n = 0; n < kHires; ++n) {
    auto answer = stack.SendWebhook(stack.CleanHire(n).dump());
    ASSERT_EQ(answer.status, 200) << answer.body;
  }
  ASSERT_TRUE(WaitFor([&] { return GoCoRequests(stack, "POST", "/employees") > 0; }))
      << "no create reached GoCo\n"
      << stack.Logs();

  Stopped stopped = Terminate(stack.ingress(), stack.ingress_admin);
  ExpectCleanStop(stopped, "ingress with hires in flight");
  EXPECT_LT(stack.InboxCount("DONE"), kHires) << "nothing was in flight at the signal";
  // The webhook listener is closed too: Greenhouse retries elsewhere or later.
  EXPECT_EQ(stack.SendWebhook(stack.CleanHire(kHires).dump()).status, 0);

  ASSERT_NO_FATAL_FAILURE(stack.StartIngress());
  ASSERT_TRUE(stack.WaitForDone(kHires, absl::Seconds(60))) << stack.Logs();
  EXPECT_EQ(stack.InboxCount(), kHires);
  ExpectOneEmployeeEach(stack, kHires);
}

TEST(ShutdownTest, WriterSigtermMidWriteExitsZeroAndTheIngressRetries) {
  Stack stack;
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  stack.GoCoTest(
      "POST", "/_sandbox/faults",
      {{"method", "POST"}, {"path", "/employees"}, {"latency_ms", 500}, {"probability", 1.0}});
  constexpr int kHires = 3;
  for (int n = 0; n < kHires; ++n) {
    ASSERT_EQ(stack.SendWebhook(stack.CleanHire(n).dump()).status, 200);
  }
  ASSERT_TRUE(WaitFor([&] { return GoCoRequests(stack, "POST", "/employees") > 0; }))
      << "no create reached GoCo\n"
      << stack.Logs();

  Stopped stopped = Terminate(stack.writer(), stack.writer_admin);
  ExpectCleanStop(stopped, "writer mid-write");

  ASSERT_NO_FATAL_FAILURE(stack.StartWriter());
  ASSERT_TRUE(stack.WaitForDone(kHires, absl::Seconds(60))) << stack.Logs();
  ExpectOneEmployeeEach(stack, kHires);
  EXPECT_EQ(stack.InboxCount("DEAD"), 0);
}

TEST(ShutdownTest, IdleServicesExitZeroQuicklyOnSigterm) {
  Stack stack;
  ASSERT_NO_FATAL_FAILURE(stack.Start());
  ASSERT_EQ(stack.SendWebhook(stack.CleanHire(0).dump()).status, 200);
  ASSERT_TRUE(stack.WaitForDone(1)) << stack.Logs();

  // The stack's mapper is not reachable from here: a second one, idle.
  int mapper_admin = FreePort();
  TempDir dir;
  auto mapper = Process::Start(BinDir() + "/hiresync-mapper",
                               {absl::StrCat("--grpc_listen=127.0.0.1:", FreePort()),
                                absl::StrCat("--admin_listen_port=", mapper_admin)},
                               {}, dir.File("mapper.log"));
  ASSERT_TRUE(mapper.ok()) << mapper.status();
  ASSERT_TRUE(WaitForHttp(mapper_admin, "/readyz")) << (*mapper)->Log();

  constexpr absl::Duration kQuick = absl::Seconds(5);
  struct Case {
    const char* name;
    Process* process;
    int admin_port;
  };
  for (const Case& c : {Case{"idle mapper", mapper->get(), mapper_admin},
                        Case{"idle notes", stack.notes(), stack.notes_admin},
                        Case{"idle writer", stack.writer(), stack.writer_admin},
                        Case{"idle ingress", stack.ingress(), stack.ingress_admin}}) {
    Stopped stopped = Terminate(c.process, c.admin_port);
    ExpectCleanStop(stopped, c.name);
    EXPECT_LT(stopped.took, kQuick) << c.name << ": " << Describe(stopped);
  }
}

}  // namespace
}  // namespace hiresync::testing
