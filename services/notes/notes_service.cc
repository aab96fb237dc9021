#include "services/notes/notes_service.h"

#include <algorithm>

#include "common/status/status.h"

namespace hiresync::notes {

NotesService::NotesService(NotePoster* poster, int workers) : poster_(poster) {
  for (int i = 0; i < std::max(workers, 1); ++i) workers_.emplace_back([this] { Work(); });
}

NotesService::~NotesService() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void NotesService::Submit(std::function<void()> work) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(work));
  }
  wake_.notify_one();
}

void NotesService::Work() {
  while (true) {
    std::function<void()> work;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    work();
  }
}

grpc::ServerUnaryReactor* NotesService::Post(grpc::CallbackServerContext* context,
                                             const v1::PostNoteRequest* request,
                                             v1::PostNoteResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  Submit([this, context, request, response, reactor] {
    if (context->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED,
                                   "the caller gave up before the note was written"));
      return;
    }
    absl::StatusOr<v1::PostNoteResponse> result = poster_->Post(*request);
    if (!result.ok()) {
      reactor->Finish(status::ToGrpc(result.status()));
      return;
    }
    *response = *std::move(result);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

}  // namespace hiresync::notes
