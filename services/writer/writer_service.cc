#include "services/writer/writer_service.h"

#include "common/status/status.h"

namespace hiresync::writer {

grpc::ServerUnaryReactor* WriterService::Write(grpc::CallbackServerContext* context,
                                               const hiresync::v1::WriteRequest* request,
                                               hiresync::v1::WriteResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<hiresync::v1::WriteResponse> result = writer_->Write(*request);
  if (result.ok()) {
    *response = *std::move(result);
    reactor->Finish(grpc::Status::OK);
  } else {
    reactor->Finish(status::ToGrpc(result.status()));
  }
  return reactor;
}

}  // namespace hiresync::writer
