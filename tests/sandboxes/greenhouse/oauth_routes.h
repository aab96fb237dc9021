// POST /token: Greenhouse's OAuth client-credentials endpoint (auth.greenhouse.io/token).
#pragma once

#include <memory>

#include "tests/sandboxes/greenhouse/harvest_context.h"
#include "tests/sandboxes/greenhouse/route_group.h"

namespace hiresync::greenhouse_sandbox {

class OAuthRoutes : public RouteGroup {
 public:
  explicit OAuthRoutes(std::shared_ptr<HarvestContext> context) : context_(std::move(context)) {}

  void Register(httplib::Server& server) override;
  // The state is HarvestRoutes'; it resets it.
  void Reset() override {}

 private:
  void HandleToken(const httplib::Request& req, httplib::Response& res);

  std::shared_ptr<HarvestContext> context_;
};

}  // namespace hiresync::greenhouse_sandbox
