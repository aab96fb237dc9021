// The downstream services as the dispatcher sees them: interfaces, so tests can use real
// in-process servers or fakes, and gRPC implementations with a deadline on every call.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hiresync/v1/mapper.grpc.pb.h"
#include "hiresync/v1/notes.grpc.pb.h"
#include "hiresync/v1/writer.grpc.pb.h"

namespace hiresync::ingress {

class MapperClient {
 public:
  virtual ~MapperClient() = default;
  virtual absl::StatusOr<hiresync::v1::MapResponse> Map(
      const hiresync::v1::MapRequest& request) = 0;
};

class WriterClient {
 public:
  virtual ~WriterClient() = default;
  virtual absl::StatusOr<hiresync::v1::WriteResponse> Write(
      const hiresync::v1::WriteRequest& request) = 0;
};

class NotesClient {
 public:
  virtual ~NotesClient() = default;
  virtual absl::StatusOr<hiresync::v1::PostNoteResponse> Post(
      const hiresync::v1::PostNoteRequest& request) = 0;
};

// Each calls over `channel` (grpcutil::MakeChannel: plaintext or mTLS).
std::unique_ptr<MapperClient> MakeGrpcMapperClient(std::shared_ptr<grpc::Channel> channel,
                                                   absl::Duration deadline);
std::unique_ptr<WriterClient> MakeGrpcWriterClient(std::shared_ptr<grpc::Channel> channel,
                                                   absl::Duration deadline);
std::unique_ptr<NotesClient> MakeGrpcNotesClient(std::shared_ptr<grpc::Channel> channel,
                                                 absl::Duration deadline);

}  // namespace hiresync::ingress
