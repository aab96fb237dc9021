// The gRPC face of the mapper: hiresync.v1.Mapper/Map over the callback API.
#pragma once

#include <string>

#include "common/metrics/counter_children.h"
#include "hiresync/v1/mapper.grpc.pb.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "services/mapper/mapper.h"

namespace hiresync::mapper {

class MapperService final : public hiresync::v1::Mapper::CallbackService {
 public:
  MapperService();

  grpc::ServerUnaryReactor* Map(grpc::CallbackServerContext* context,
                                const hiresync::v1::MapRequest* request,
                                hiresync::v1::MapResponse* response) override;

 private:
  void CountProblems(const hiresync::v1::MapResponse& response);

  const Mapper mapper_{};
  // hiresync_mapper_problems_total{code}; children kept per code.
  metrics::CounterChildren problems_;
};

}  // namespace hiresync::mapper
