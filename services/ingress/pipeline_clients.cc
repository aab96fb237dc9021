#include "services/ingress/pipeline_clients.h"

#include "common/grpc/server.h"
#include "common/status/status.h"

namespace hiresync::ingress {
namespace {

// One unary call with the deadline, converting the gRPC status once.
template <typename Stub, typename Request, typename Response, typename Method>
absl::StatusOr<Response> Call(Stub& stub, Method method, const Request& request,
                              absl::Duration deadline) {
  auto context = grpcutil::ContextWithDeadline(deadline);
  Response response;
  grpc::Status status = (stub.*method)(context.get(), request, &response);
  if (!status.ok()) return status::FromGrpc(status);
  return response;
}

class GrpcMapperClient : public MapperClient {
 public:
  GrpcMapperClient(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline)
      : stub_(hiresync::v1::Mapper::NewStub(channel)), deadline_(deadline) {}
  absl::StatusOr<hiresync::v1::MapResponse> Map(const hiresync::v1::MapRequest& request) override {
    return Call<hiresync::v1::Mapper::Stub, hiresync::v1::MapRequest, hiresync::v1::MapResponse>(
        *stub_, &hiresync::v1::Mapper::Stub::Map, request, deadline_);
  }

 private:
  std::unique_ptr<hiresync::v1::Mapper::Stub> stub_;
  absl::Duration deadline_;
};

class GrpcWriterClient : public WriterClient {
 public:
  GrpcWriterClient(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline)
      : stub_(hiresync::v1::Writer::NewStub(channel)), deadline_(deadline) {}
  absl::StatusOr<hiresync::v1::WriteResponse> Write(
      const hiresync::v1::WriteRequest& request) override {
    return Call<hiresync::v1::Writer::Stub, hiresync::v1::WriteRequest,
                hiresync::v1::WriteResponse>(*stub_, &hiresync::v1::Writer::Stub::Write, request,
                                             deadline_);
  }

 private:
  std::unique_ptr<hiresync::v1::Writer::Stub> stub_;
  absl::Duration deadline_;
};

class GrpcNotesClient : public NotesClient {
 public:
  GrpcNotesClient(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline)
      : stub_(hiresync::v1::Notes::NewStub(channel)), deadline_(deadline) {}
  absl::StatusOr<hiresync::v1::PostNoteResponse> Post(
      const hiresync::v1::PostNoteRequest& request) override {
    return Call<hiresync::v1::Notes::Stub, hiresync::v1::PostNoteRequest,
                hiresync::v1::PostNoteResponse>(*stub_, &hiresync::v1::Notes::Stub::Post, request,
                                                deadline_);
  }

 private:
  std::unique_ptr<hiresync::v1::Notes::Stub> stub_;
  absl::Duration deadline_;
};

}  // namespace

std::unique_ptr<MapperClient> MakeGrpcMapperClient(std::shared_ptr<grpc::Channel> channel,
                                                   absl::Duration deadline) {
  return std::make_unique<GrpcMapperClient>(std::move(channel), deadline);
}
std::unique_ptr<WriterClient> MakeGrpcWriterClient(std::shared_ptr<grpc::Channel> channel,
                                                   absl::Duration deadline) {
  return std::make_unique<GrpcWriterClient>(std::move(channel), deadline);
}
std::unique_ptr<NotesClient> MakeGrpcNotesClient(std::shared_ptr<grpc::Channel> channel,
                                                 absl::Duration deadline) {
  return std::make_unique<GrpcNotesClient>(std::move(channel), deadline);
}

}  // namespace hiresync::ingress
