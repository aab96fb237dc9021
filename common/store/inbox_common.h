// What the two inbox backends share beyond SQL: the operator's texts and the purge of
// personal data.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "common/store/inbox.h"

namespace hiresync::store {

// The history line's detail of a replay: who asked, why, and the override.
std::string ReplayDetail(const ReplayRequest& request);

// Why event `id` in `state` cannot be replayed (OK when it can).
absl::Status CheckReplayable(int64_t id, EventState state, bool purged);

// What is left of a stored event and of the mapper's result once their personal data is
// removed: ids, the problems and whether the hire was syncable.
hiresync::v1::HireEvent WithoutPersonalData(const hiresync::v1::HireEvent& event);
std::string MapResultWithoutPersonalData(const std::string& map_result);

// The history line's detail of a purge.
inline constexpr const char* kPurgeDetail =
    "payload and personal data removed after the retention period; ids, outcome, problems, "
    "note text and history kept";

}  // namespace hiresync::store
