#include "tests/sandboxes/greenhouse/harvest_control_routes.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace hiresync::greenhouse_sandbox {

void HarvestControlRoutes::Register(httplib::Server& server) {
  server.Put("/_sandbox/seed", [this](const auto& req, auto& res) { HandleSeed(req, res); });
  server.Get("/_sandbox/notes", [this](const auto& req, auto& res) { HandleNotes(req, res); });
  server.Post("/_sandbox/faults", [this](const auto& req, auto& res) { HandleAddFault(req, res); });
  server.Delete("/_sandbox/faults", [this](const httplib::Request&, httplib::Response& res) {
    context_->faults().ClearFaults();
    ReplyJson(res, 200, {{"status", "cleared"}});
  });
  server.Get("/_sandbox/requests",
             [this](const auto& req, auto& res) { HandleRequests(req, res); });
}

void HarvestControlRoutes::HandleSeed(const httplib::Request& req, httplib::Response& res) {
  nlohmann::json doc = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    ReplyJsonError(res, 400,
                   "the seed is not valid JSON; see tests/sandboxes/greenhouse/README.md for "
                   "its shape");
    return;
  }
  absl::StatusOr<Seed> seed = ParseSeed(doc, "");
  if (!seed.ok()) {
    ReplyJsonError(res, 400, std::string(seed.status().message()));
    return;
  }
  context_->state().Merge(*seed);
  ReplyJson(res, 200,
            {{"status", "seeded"},
             {"users", seed->users.size()},
             {"oauth_clients", seed->oauth_clients.size()},
             {"candidates", seed->candidates.size()},
             {"applications", seed->applications.size()},
             {"offers", seed->offers.size()},
             {"attachments", seed->attachments.size()}});
}

void HarvestControlRoutes::HandleNotes(const httplib::Request& req, httplib::Response& res) {
  IdSet filter;
  if (req.has_param("candidate_id")) {
    int64_t id = 0;
    if (!absl::SimpleAtoi(req.get_param_value("candidate_id"), &id)) {
      ReplyJsonError(res, 400,
                     "candidate_id must be an integer candidate id (leave it out for all notes)");
      return;
    }
    filter = std::set<int64_t>{id};
  }
  ReplyJson(res, 200, context_->state().Notes(filter));
}

void HarvestControlRoutes::HandleAddFault(const httplib::Request& req, httplib::Response& res) {
  nlohmann::json spec = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (spec.is_object() && spec.contains("expire_tokens")) {
    if (spec.size() != 1 || spec["expire_tokens"] != true) {
      ReplyJsonError(res, 400, "send {\"expire_tokens\":true} on its own to expire every token");
      return;
    }
    ReplyJson(res, 200, {{"expired_tokens", context_->state().ExpireTokens()}});
    return;
  }
  if (absl::Status added = context_->faults().Add(spec); !added.ok()) {
    ReplyJsonError(res, 400, std::string(added.message()));
    return;
  }
  ReplyJson(res, 200, {{"status", "added"}, {"pending_calls", context_->faults().Pending()}});
}

void HarvestControlRoutes::HandleRequests(const httplib::Request& req, httplib::Response& res) {
  const std::string path = req.get_param_value("path");
  if (path.empty()) {
    ReplyJsonError(res, 400,
                   "path is required, e.g. /_sandbox/requests?method=POST&path=/v3/notes");
    return;
  }
  ReplyJson(res, 200, {{"count", context_->faults().Count(req.get_param_value("method"), path)}});
}

}  // namespace hiresync::greenhouse_sandbox
