// The downstream services as the dispatcher sees them: interfaces, so tests can use real
// in-process servers or fakes, and gRPC implementations with a deadline on every call.
#pragma once

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
  virtual absl::StatusOr<hiresync::v1::MapResponse> Map(const hiresync::v1::MapRequest& request) = 0;
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

std::unique_ptr<MapperClient> MakeGrpcMapperClient(const std::string& target, absl::Duration deadline);
std::unique_ptr<WriterClient> MakeGrpcWriterClient(const std::string& target, absl::Duration deadline);
std::unique_ptr<NotesClient> MakeGrpcNotesClient(const std::string& target, absl::Duration deadline);

}  // namespace hiresync::ingress
