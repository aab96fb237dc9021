// The contract's routes (goco-api.md) for one authenticated call (internal to goco-sandbox).
#pragma once

#include <string>

#include "absl/time/time.h"
#include "tests/sandboxes/goco/model.h"

namespace hiresync::goco_sandbox {

// Answers `request` (whose path relative to the company base is `path`) for `company`; the
// caller holds the sandbox's lock.
HttpResponse RouteContractCall(SandboxState& state, Company& company, const HttpRequest& request,
                               const std::string& path, absl::Time now);

}  // namespace hiresync::goco_sandbox
