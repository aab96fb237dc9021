// `hiresync-notes --check_connection ID`: checks a connection's Harvest credentials, note
// author and GoCo API key, and says for each what is wrong and how to fix it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/time/clock.h"
#include "services/notes/harvest_client.h"

namespace hiresync::notes {

struct CheckResult {
  std::string name;  // e.g. "harvest token"
  bool ok = false;
  std::string detail;
};

std::vector<CheckResult> CheckConnection(const config::Connection& connection,
                                         std::shared_ptr<time::Clock> clock,
                                         HarvestOptions options = {});

// "OK   harvest token: ..." / "FAIL harvest token: ...".
std::string FormatCheck(const CheckResult& result);

}  // namespace hiresync::notes
