#include "tests/sandboxes/greenhouse/harvest_state.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "tests/sandboxes/greenhouse/signing.h"

namespace hiresync::greenhouse_sandbox {
namespace {

using nlohmann::json;

bool Matches(const IdSet& filter, const json& record, const char* field) {
  if (!filter) return true;
  return record.contains(field) && record[field].is_number_integer() &&
         filter->count(record[field].get<int64_t>()) > 0;
}

json Select(const std::map<int64_t, json>& records, const IdSet& filter, const char* field) {
  json out = json::array();
  for (const auto& [id, record] : records) {
    if (Matches(filter, record, field)) out.push_back(record);
  }
  return out;
}

void MergeRecords(std::map<int64_t, json>& into, const std::vector<json>& records) {
  for (const json& record : records) into[record["id"].get<int64_t>()] = record;
}

}  // namespace

void HarvestState::ClearLocked() {
  users_.clear();
  candidates_.clear();
  applications_.clear();
  offers_.clear();
  attachments_.clear();
  clients_.clear();
  tokens_.clear();
  cursors_.clear();
  notes_.clear();
  next_note_id_ = 1;
  token_ttl_seconds_ = kDefaultTokenTtlSeconds;
  rate_limit_ = RateLimitConfig{};
}

void HarvestState::MergeLocked(const Seed& seed) {
  MergeRecords(users_, seed.users);
  MergeRecords(candidates_, seed.candidates);
  MergeRecords(applications_, seed.applications);
  MergeRecords(offers_, seed.offers);
  MergeRecords(attachments_, seed.attachments);
  for (const OAuthClient& client : seed.oauth_clients) clients_[client.client_id] = client;
  if (seed.token_ttl_seconds) token_ttl_seconds_ = *seed.token_ttl_seconds;
  if (seed.rate_limit) rate_limit_ = *seed.rate_limit;
}

void HarvestState::Merge(const Seed& seed) {
  std::lock_guard lock(mu_);
  MergeLocked(seed);
}

void HarvestState::Reset(const Seed& base) {
  std::lock_guard lock(mu_);
  ClearLocked();
  MergeLocked(base);
}

std::optional<OAuthClient> HarvestState::AuthenticateClient(const std::string& client_id,
                                                            const std::string& secret) const {
  std::lock_guard lock(mu_);
  auto it = clients_.find(client_id);
  if (it == clients_.end() || !SafeEqual(it->second.client_secret, secret)) return std::nullopt;
  return it->second;
}

bool HarvestState::HasUser(int64_t id) const {
  std::lock_guard lock(mu_);
  return users_.count(id) > 0;
}

IssuedToken HarvestState::IssueToken(const OAuthClient& client, int64_t user_id) {
  IssuedToken issued{absl::BytesToHexString(RandomBytes(32)), 0};
  std::lock_guard lock(mu_);
  issued.expires_in = token_ttl_seconds_;
  tokens_[issued.access_token] =
      Token{client.client_id, user_id, clock_() + absl::Seconds(token_ttl_seconds_)};
  return issued;
}

std::optional<TokenGrant> HarvestState::Authenticate(const std::string& access_token) const {
  const absl::Time now = clock_();
  std::lock_guard lock(mu_);
  auto token = tokens_.find(access_token);
  if (token == tokens_.end() || now >= token->second.expires_at) return std::nullopt;
  auto client = clients_.find(token->second.client_id);
  auto user = users_.find(token->second.user_id);
  if (client == clients_.end() || user == users_.end()) return std::nullopt;
  return TokenGrant{client->first, user->first, user->second.value("site_admin", false),
                    client->second.scopes};
}

int64_t HarvestState::ExpireTokens() {
  const absl::Time now = clock_();
  std::lock_guard lock(mu_);
  int64_t live = 0;
  for (auto& [value, token] : tokens_) {
    if (token.expires_at > now) {
      ++live;
      token.expires_at = now;
    }
  }
  return live;
}

RateLimitConfig HarvestState::rate_limit() const {
  std::lock_guard lock(mu_);
  return rate_limit_;
}

json HarvestState::Users(const std::optional<std::string>& primary_email) const {
  std::lock_guard lock(mu_);
  json out = json::array();
  for (const auto& [id, user] : users_) {
    if (primary_email &&
        !absl::EqualsIgnoreCase(user["primary_email"].get<std::string>(), *primary_email)) {
      continue;
    }
    out.push_back(user);
  }
  return out;
}

json HarvestState::Candidates(const IdSet& ids) const {
  std::lock_guard lock(mu_);
  return Select(candidates_, ids, "id");
}

json HarvestState::Applications(const IdSet& candidate_ids) const {
  std::lock_guard lock(mu_);
  return Select(applications_, candidate_ids, "candidate_id");
}

json HarvestState::Offers(const IdSet& application_ids, bool current_only) const {
  std::lock_guard lock(mu_);
  json selected = Select(offers_, application_ids, "application_id");
  if (!current_only) return selected;
  // Per application, the offer with the highest version (then the highest id).
  std::map<int64_t, json> current;
  for (const json& offer : selected) {
    const int64_t application = offer["application_id"];
    auto it = current.find(application);
    if (it == current.end() ||
        offer.value("version", int64_t{0}) >= it->second.value("version", int64_t{0})) {
      current[application] = offer;
    }
  }
  json out = json::array();
  for (const json& offer : selected) {
    if (current[offer["application_id"].get<int64_t>()]["id"] == offer["id"]) {
      out.push_back(offer);
    }
  }
  return out;
}

json HarvestState::Attachments(const IdSet& candidate_ids) const {
  std::lock_guard lock(mu_);
  return Select(attachments_, candidate_ids, "candidate_id");
}

json HarvestState::Notes(const IdSet& candidate_ids) const {
  std::lock_guard lock(mu_);
  json out = json::array();
  for (const json& note : notes_) {
    if (Matches(candidate_ids, note, "candidate_id")) out.push_back(note);
  }
  return out;
}

std::optional<json> HarvestState::CreateNote(const json& request, std::vector<FieldError>* errors) {
  static const std::set<std::string> kVisibilities = {"admin_only", "private", "public"};
  std::lock_guard lock(mu_);
  const json* candidate = request.contains("candidate_id") ? &request["candidate_id"] : nullptr;
  if (candidate == nullptr || !candidate->is_number_integer()) {
    errors->push_back({"candidate_id", "is required and must be an integer candidate id"});
  } else if (!candidates_.count(candidate->get<int64_t>())) {
    errors->push_back({"candidate_id", "does not match a candidate"});
  }
  const json* body = request.contains("body") ? &request["body"] : nullptr;
  if (body == nullptr || !body->is_string() ||
      absl::StripAsciiWhitespace(body->get<std::string>()).empty()) {
    errors->push_back({"body", "can't be blank"});
  }
  if (!request.contains("note_type") || request["note_type"] != "NOTE") {
    errors->push_back({"note_type", "must be NOTE"});
  }
  if (!request.contains("visibility") || !request["visibility"].is_string() ||
      !kVisibilities.count(request["visibility"].get<std::string>())) {
    errors->push_back({"visibility", "must be one of admin_only, private, public"});
  }
  const json* user = request.contains("user_id") ? &request["user_id"] : nullptr;
  if (user == nullptr || !user->is_number_integer()) {
    errors->push_back({"user_id", "is required and must be an integer user id"});
  } else if (!users_.count(user->get<int64_t>())) {
    errors->push_back({"user_id", "does not match a user"});
  }
  if (!errors->empty()) return std::nullopt;

  json note = json::object();
  note["id"] = next_note_id_++;
  note["candidate_id"] = request["candidate_id"];
  note["body"] = request["body"];
  note["note_type"] = request["note_type"];
  note["visibility"] = request["visibility"];
  note["user_id"] = request["user_id"];
  note["created_at"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", clock_(), absl::UTCTimeZone());
  notes_.push_back(note);
  return note;
}

std::string HarvestState::SaveCursor(Cursor cursor) {
  std::string token = absl::BytesToHexString(RandomBytes(16));
  std::lock_guard lock(mu_);
  cursors_[token] = std::move(cursor);
  return token;
}

std::optional<Cursor> HarvestState::FindCursor(const std::string& token) const {
  std::lock_guard lock(mu_);
  auto it = cursors_.find(token);
  if (it == cursors_.end()) return std::nullopt;
  return it->second;
}

}  // namespace hiresync::greenhouse_sandbox
