#include "common/store/inbox_common.h"

#include "absl/strings/str_cat.h"
#include "hiresync/v1/mapper.pb.h"

namespace hiresync::store {

std::string ReplayDetail(const ReplayRequest& request) {
  std::string detail = absl::StrCat("by ", request.by.empty() ? "an operator" : request.by);
  if (!request.reason.empty()) absl::StrAppend(&detail, ": ", request.reason);
  if (request.allow_duplicate_name) {
    absl::StrAppend(&detail, "; syncs even if GoCo has an employee with this name");
  }
  return detail;
}

absl::Status CheckReplayable(int64_t id, EventState state, bool purged) {
  if (!IsTerminal(state)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event ", id, " is still in the pipeline (", StateName(state),
        "); only a DONE or DEAD event can be replayed: wait until it finishes"));
  }
  if (purged) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event ", id, "'s payload was purged after the retention period, so it cannot be "
        "replayed; move the candidate out of and back into the hired stage in Greenhouse to "
        "send the hire again"));
  }
  return absl::OkStatus();
}

hiresync::v1::HireEvent WithoutPersonalData(const hiresync::v1::HireEvent& event) {
  hiresync::v1::HireEvent kept;
  kept.set_connection_id(event.connection_id());
  kept.set_delivery_id(event.delivery_id());
  *kept.mutable_received_at() = event.received_at();
  kept.set_body_sha256(event.body_sha256());
  kept.mutable_application()->set_id(event.application().id());
  kept.mutable_application()->mutable_candidate()->set_id(event.application().candidate().id());
  return kept;
}

std::string MapResultWithoutPersonalData(const std::string& map_result) {
  if (map_result.empty()) return map_result;
  hiresync::v1::MapResponse map;
  if (!map.ParseFromString(map_result)) return "";
  hiresync::v1::NewHire kept;
  kept.set_connection_id(map.new_hire().connection_id());
  kept.set_candidate_id(map.new_hire().candidate_id());
  kept.set_application_id(map.new_hire().application_id());
  *map.mutable_new_hire() = kept;
  return map.SerializeAsString();
}

absl::StatusOr<int64_t> Inbox::Count(std::optional<EventState> state) {
  auto counts = CountByState();
  if (!counts.ok()) return counts.status();
  int64_t total = 0;
  for (const auto& [counted, n] : *counts) {
    if (!state || counted == *state) total += n;
  }
  return total;
}

}  // namespace hiresync::store
