// The gRPC face of the notes service: hiresync.v1.Notes/Post over the callback API.
// Harvest calls can wait (rate limits, retries), so they run on a small pool of worker
// threads, never on gRPC's callback threads.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "hiresync/v1/notes.grpc.pb.h"
#include "services/notes/note_poster.h"

namespace hiresync::notes {

class NotesService final : public hiresync::v1::Notes::CallbackService {
 public:
  NotesService(NotePoster* poster, int workers);
  // Runs the queued work, then joins the workers; destroy after the server has stopped.
  ~NotesService() override;

  grpc::ServerUnaryReactor* Post(grpc::CallbackServerContext* context,
                                 const hiresync::v1::PostNoteRequest* request,
                                 hiresync::v1::PostNoteResponse* response) override;

 private:
  void Submit(std::function<void()> work);
  void Work();

  NotePoster* poster_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace hiresync::notes
