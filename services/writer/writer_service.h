// The gRPC face of the writer (callback API); the logic is Writer.
#pragma once

#include "hiresync/v1/writer.grpc.pb.h"
#include "services/writer/writer.h"

namespace hiresync::writer {

class WriterService final : public hiresync::v1::Writer::CallbackService {
 public:
  explicit WriterService(Writer* writer) : writer_(writer) {}

  grpc::ServerUnaryReactor* Write(grpc::CallbackServerContext* context,
                                  const hiresync::v1::WriteRequest* request,
                                  hiresync::v1::WriteResponse* response) override;

 private:
  Writer* writer_;
};

}  // namespace hiresync::writer
