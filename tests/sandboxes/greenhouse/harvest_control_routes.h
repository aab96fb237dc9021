// The test API of the Harvest part (no auth): PUT /_sandbox/seed, GET /_sandbox/notes,
// POST|DELETE /_sandbox/faults, GET /_sandbox/requests.
#pragma once

#include <memory>

#include "tests/sandboxes/greenhouse/harvest_context.h"
#include "tests/sandboxes/greenhouse/route_group.h"

namespace hiresync::greenhouse_sandbox {

class HarvestControlRoutes : public RouteGroup {
 public:
  explicit HarvestControlRoutes(std::shared_ptr<HarvestContext> context)
      : context_(std::move(context)) {}

  void Register(httplib::Server& server) override;
  // The state is HarvestRoutes'; it resets it.
  void Reset() override {}

 private:
  void HandleSeed(const httplib::Request& req, httplib::Response& res);
  void HandleNotes(const httplib::Request& req, httplib::Response& res);
  void HandleAddFault(const httplib::Request& req, httplib::Response& res);
  void HandleRequests(const httplib::Request& req, httplib::Response& res);

  std::shared_ptr<HarvestContext> context_;
};

}  // namespace hiresync::greenhouse_sandbox
