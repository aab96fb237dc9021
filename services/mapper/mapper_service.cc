#include "services/mapper/mapper_service.h"

#include "common/failpoint/failpoint.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"

namespace hiresync::mapper {
namespace {

prometheus::Family<prometheus::Counter>& ProblemsFamily() {
  static prometheus::Family<prometheus::Counter>& family =
      prometheus::BuildCounter()
          .Name("hiresync_mapper_problems_total")
          .Help("Problems found while mapping hires, by code (warnings and errors).")
          .Register(*metrics::Registry());
  return family;
}

}  // namespace

MapperService::MapperService() : problems_(ProblemsFamily()) {}

grpc::ServerUnaryReactor* MapperService::Map(grpc::CallbackServerContext* context,
                                             const v1::MapRequest* request,
                                             v1::MapResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!request->has_event() || !request->event().has_application()) {
    reactor->Finish(grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        "MapRequest.event.application is missing: send the HireEvent that ingress built from "
        "the hire_candidate webhook"));
    return reactor;
  }
  failpoint::Hit("mapper.before_answer");
  *response = mapper_.Map(request->event(), request->options());
  CountProblems(*response);

  nlohmann::json codes = nlohmann::json::array();
  for (const v1::Problem& problem : response->problems()) codes.push_back(problem.code());
  log::Info("mapped", {{"connection_id", request->event().connection_id()},
                       {"delivery_id", request->event().delivery_id()},
                       {"candidate_id", response->new_hire().candidate_id()},
                       {"application_id", response->new_hire().application_id()},
                       {"syncable", response->syncable()},
                       {"problems", codes}});
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

void MapperService::CountProblems(const v1::MapResponse& response) {
  for (const v1::Problem& problem : response.problems()) {
    problems_.Increment({{"code", problem.code()}});
  }
}

}  // namespace hiresync::mapper
