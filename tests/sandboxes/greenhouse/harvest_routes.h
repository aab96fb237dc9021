// The Harvest v3 API (harvest.greenhouse.io/v3): bearer tokens from POST /token, scopes,
// bare JSON arrays with cursor pagination, rate-limit headers and validation errors.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "tests/sandboxes/greenhouse/harvest_context.h"
#include "tests/sandboxes/greenhouse/route_group.h"

namespace hiresync::greenhouse_sandbox {

inline constexpr int kDefaultPerPage = 100;
inline constexpr int kMaxPerPage = 500;
inline constexpr size_t kMaxIdsPerRequest = 50;

class HarvestRoutes : public RouteGroup {
 public:
  explicit HarvestRoutes(std::shared_ptr<HarvestContext> context) : context_(std::move(context)) {}

  void Register(httplib::Server& server) override;
  void Reset() override { context_->Reset(); }

  // An error answer: its status and JSON body.
  struct ApiError {
    int status = 400;
    nlohmann::json body;
  };
  using Params = std::map<std::string, std::string>;
  // Fills `out` with the whole filtered list, or returns the error.
  using Query = std::function<std::optional<ApiError>(const Params&, nlohmann::json* out)>;

 private:
  struct ListEndpoint {
    std::string path;
    std::string scope;
    std::set<std::string> filters;
    Query query;
  };

  // Authentication, rate limit, injected status, scope and (for reads) Site Admin checks;
  // nullopt when an answer has been written. `fault` receives the call's fault, if any.
  std::optional<TokenGrant> Gate(const httplib::Request& req, httplib::Response& res,
                                 const std::string& scope, bool read, std::optional<Fault>* fault);
  void HandleList(const ListEndpoint& endpoint, const httplib::Request& req,
                  httplib::Response& res);
  void HandleCreateNote(const httplib::Request& req, httplib::Response& res);
  std::optional<ApiError> AttachmentsWithUrls(const Params& params, nlohmann::json* out);

  std::shared_ptr<HarvestContext> context_;
};

}  // namespace hiresync::greenhouse_sandbox
