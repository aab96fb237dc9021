// Drives each stored event through mapper -> writer -> notes, recording every step's
// result in the inbox, retrying transient failures with exponential backoff and jitter,
// and ending an event DEAD when its retry budget is spent. Ingress is the only place that
// knows the order of the steps.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/store/inbox.h"
#include "services/ingress/pipeline_clients.h"

namespace hiresync::ingress {

struct DispatcherOptions {
  int workers = 4;
  // How long a claimed event is ours before another dispatcher may take it over.
  absl::Duration lease = absl::Minutes(5);
  absl::Duration retry_base = absl::Seconds(2);
  absl::Duration retry_max = absl::Minutes(15);
  // The retry budget: whichever comes first. The defaults outlast a GoCo outage of a day.
  int max_attempts = 400;
  absl::Duration max_age = absl::Hours(72);
  // How often an idle worker looks for retries that have come due.
  absl::Duration idle_poll = absl::Milliseconds(500);
  std::string owner = "ingress";
  // The connections whose hires wait right now; when unset, those the config says PAUSED.
  std::function<std::set<std::string>()> paused_connections;
};

class Dispatcher {
 public:
  using ConnectionsFn = std::function<std::shared_ptr<const config::Connections>()>;

  // `notes` may be null: events then end without a note, recorded as such.
  Dispatcher(store::Inbox* inbox, ConnectionsFn connections, MapperClient* mapper,
             WriterClient* writer, NotesClient* notes, DispatcherOptions options);
  ~Dispatcher();

  void Start();
  // Stops claiming, lets in-flight steps finish, hands unfinished events back.
  void Stop();
  // Tells an idle worker that an event was stored.
  void Wake();

  // Runs one event from its current state until it is terminal, waits for a retry, or
  // the dispatcher stops.
  void Process(store::StoredEvent event);

 private:
  void WorkerLoop(int index);
  // Records a transient failure: a retry later, or DEAD when the budget is spent.
  void Retry(const store::StoredEvent& event, const std::string& step, const std::string& error,
             absl::Duration at_least);
  absl::Duration Backoff(int attempts);
  // The GAVE_UP note, written when notes are configured (and the note step is not what
  // failed); its text is returned either way, to be kept with the DEAD event.
  hiresync::v1::PostNoteResponse GaveUpNote(const store::StoredEvent& event,
                                            const std::string& step, const std::string& detail);
  // Tells the recruiter, once per event, that GoCo refused the connection's API key.
  void TellCredentialsRejected(const store::StoredEvent& event, const std::string& reason);

  store::Inbox* inbox_;
  ConnectionsFn connections_;
  MapperClient* mapper_;
  WriterClient* writer_;
  NotesClient* notes_;
  DispatcherOptions options_;

  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable wake_;
  uint64_t wake_generation_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace hiresync::ingress
