#include "tests/sandboxes/greenhouse/harvest_seed.h"

#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace hiresync::greenhouse_sandbox {
namespace {

using nlohmann::json;

const std::set<std::string>& TopLevelKeys() {
  static const std::set<std::string> kKeys = {
      "users",  "oauth_clients", "candidates",        "applications",
      "offers", "attachments",   "token_ttl_seconds", "rate_limit"};
  return kKeys;
}

std::string Where(const std::string& list, size_t index) {
  return absl::StrCat(list, "[", index, "]");
}

absl::Status NeedInteger(const json& item, const std::string& field, const std::string& where) {
  if (!item.contains(field) || !item[field].is_number_integer()) {
    return absl::InvalidArgumentError(
        absl::StrCat("seed ", where, " needs an integer \"", field, "\""));
  }
  return absl::OkStatus();
}

absl::Status NeedString(const json& item, const std::string& field, const std::string& where,
                        bool required) {
  if (!item.contains(field)) {
    if (!required) return absl::OkStatus();
  } else if (item[field].is_string() && !item[field].get<std::string>().empty()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("seed ", where, " needs a non-empty string \"", field, "\""));
}

absl::StatusOr<std::vector<json>> Records(const json& doc, const std::string& list) {
  std::vector<json> out;
  if (!doc.contains(list)) return out;
  if (!doc[list].is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat("seed \"", list, "\" must be an array of objects"));
  }
  for (size_t i = 0; i < doc[list].size(); ++i) {
    const json& item = doc[list][i];
    if (!item.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat("seed ", Where(list, i), " must be a JSON object"));
    }
    if (absl::Status id = NeedInteger(item, "id", Where(list, i)); !id.ok()) return id;
    out.push_back(item);
  }
  return out;
}

absl::Status CheckUser(json& user, const std::string& where) {
  if (absl::Status s = NeedString(user, "primary_email", where, true); !s.ok()) return s;
  for (const char* name : {"first_name", "last_name"}) {
    if (user.contains(name) && !user[name].is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat("seed ", where, " \"", name, "\" must be a string"));
    }
    if (!user.contains(name)) user[name] = "";
  }
  if (user.contains("site_admin") && !user["site_admin"].is_boolean()) {
    return absl::InvalidArgumentError(
        absl::StrCat("seed ", where, " \"site_admin\" must be true or false"));
  }
  if (!user.contains("site_admin")) user["site_admin"] = false;
  return absl::OkStatus();
}

absl::Status CheckOffer(const json& offer, const std::string& where) {
  if (absl::Status s = NeedInteger(offer, "application_id", where); !s.ok()) return s;
  if (offer.contains("starts_at")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "seed ", where, " has \"starts_at\": Harvest v3 offers use \"starts_on\" (YYYY-MM-DD)"));
  }
  if (offer.contains("version") && !offer["version"].is_number_integer()) {
    return absl::InvalidArgumentError(
        absl::StrCat("seed ", where, " \"version\" must be an integer"));
  }
  return absl::OkStatus();
}

absl::Status CheckAttachment(json& attachment, const std::string& where) {
  static const std::regex kFileName("[A-Za-z0-9._-]+");
  if (absl::Status s = NeedInteger(attachment, "candidate_id", where); !s.ok()) return s;
  if (absl::Status s = NeedString(attachment, "filename", where, true); !s.ok()) return s;
  if (!attachment.contains("file")) attachment["file"] = attachment["filename"];
  if (!attachment["file"].is_string() ||
      !std::regex_match(attachment["file"].get<std::string>(), kFileName)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "seed ", where,
        " needs \"file\": the name it was uploaded under with PUT /_sandbox/attachments/{name} "
        "([A-Za-z0-9._-]+; defaults to \"filename\")"));
  }
  if (attachment.contains("url_ttl_seconds") &&
      !attachment["url_ttl_seconds"].is_number_integer()) {
    return absl::InvalidArgumentError(
        absl::StrCat("seed ", where, " \"url_ttl_seconds\" must be an integer"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSecretFile(const std::string& path, const std::string& base_dir,
                                           const std::string& where) {
  std::string full = path;
  if (!path.empty() && path[0] != '/' && !base_dir.empty()) {
    full = base_dir.back() == '/' ? base_dir + path : base_dir + "/" + path;
  }
  std::ifstream in(full, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("seed ", where, " client_secret_file ", full,
                     " cannot be read: check the path (relative paths start at the seed "
                     "file's folder) and its permissions"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string secret(absl::StripTrailingAsciiWhitespace(ss.str()));
  if (secret.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("seed ", where, " client_secret_file ", full,
                                                   " is empty: put the client secret in it"));
  }
  return secret;
}

absl::StatusOr<std::vector<OAuthClient>> Clients(const json& doc, const std::string& base_dir) {
  std::vector<OAuthClient> out;
  if (!doc.contains("oauth_clients")) return out;
  if (!doc["oauth_clients"].is_array()) {
    return absl::InvalidArgumentError("seed \"oauth_clients\" must be an array of objects");
  }
  for (size_t i = 0; i < doc["oauth_clients"].size(); ++i) {
    const json& item = doc["oauth_clients"][i];
    const std::string where = Where("oauth_clients", i);
    if (!item.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat("seed ", where, " must be a JSON object"));
    }
    for (const auto& [key, value] : item.items()) {
      if (key != "client_id" && key != "client_secret" && key != "client_secret_file" &&
          key != "scopes") {
        return absl::InvalidArgumentError(
            absl::StrCat("seed ", where, " has unknown field \"", key,
                         "\"; use client_id, client_secret or client_secret_file, scopes"));
      }
    }
    if (absl::Status s = NeedString(item, "client_id", where, true); !s.ok()) return s;
    OAuthClient client;
    client.client_id = item["client_id"];
    if (item.contains("client_secret") == item.contains("client_secret_file")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "seed ", where, " needs exactly one of \"client_secret\" and \"client_secret_file\""));
    }
    if (item.contains("client_secret")) {
      if (absl::Status s = NeedString(item, "client_secret", where, true); !s.ok()) return s;
      client.client_secret = item["client_secret"];
    } else {
      if (absl::Status s = NeedString(item, "client_secret_file", where, true); !s.ok()) return s;
      absl::StatusOr<std::string> secret =
          ReadSecretFile(item["client_secret_file"], base_dir, where);
      if (!secret.ok()) return secret.status();
      client.client_secret = *secret;
    }
    if (item.contains("scopes")) {
      if (!item["scopes"].is_array()) {
        return absl::InvalidArgumentError(
            absl::StrCat("seed ", where, " \"scopes\" must be an array of strings"));
      }
      for (const json& scope : item["scopes"]) {
        if (!scope.is_string()) {
          return absl::InvalidArgumentError(
              absl::StrCat("seed ", where, " \"scopes\" must be an array of strings"));
        }
        client.scopes.insert(scope.get<std::string>());
      }
    }
    out.push_back(std::move(client));
  }
  return out;
}

}  // namespace

absl::StatusOr<Seed> ParseSeed(const json& doc, const std::string& base_dir) {
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(
        "the seed must be a JSON object with any of: users, oauth_clients, candidates, "
        "applications, offers, attachments, token_ttl_seconds, rate_limit");
  }
  for (const auto& [key, value] : doc.items()) {
    if (!TopLevelKeys().count(key)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown seed key \"", key,
          "\"; use users, oauth_clients, candidates, applications, offers, attachments, "
          "token_ttl_seconds, rate_limit"));
    }
  }
  Seed seed;
  struct List {
    const char* name;
    std::vector<json>* out;
  };
  for (List list : {List{"users", &seed.users}, List{"candidates", &seed.candidates},
                    List{"applications", &seed.applications}, List{"offers", &seed.offers},
                    List{"attachments", &seed.attachments}}) {
    absl::StatusOr<std::vector<json>> records = Records(doc, list.name);
    if (!records.ok()) return records.status();
    *list.out = std::move(*records);
  }
  for (size_t i = 0; i < seed.users.size(); ++i) {
    if (absl::Status s = CheckUser(seed.users[i], Where("users", i)); !s.ok()) return s;
  }
  for (size_t i = 0; i < seed.applications.size(); ++i) {
    absl::Status s = NeedInteger(seed.applications[i], "candidate_id", Where("applications", i));
    if (!s.ok()) return s;
  }
  for (size_t i = 0; i < seed.offers.size(); ++i) {
    if (absl::Status s = CheckOffer(seed.offers[i], Where("offers", i)); !s.ok()) return s;
  }
  for (size_t i = 0; i < seed.attachments.size(); ++i) {
    if (absl::Status s = CheckAttachment(seed.attachments[i], Where("attachments", i)); !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<std::vector<OAuthClient>> clients = Clients(doc, base_dir);
  if (!clients.ok()) return clients.status();
  seed.oauth_clients = std::move(*clients);

  if (doc.contains("token_ttl_seconds")) {
    if (!doc["token_ttl_seconds"].is_number_integer() ||
        doc["token_ttl_seconds"].get<int64_t>() < 1) {
      return absl::InvalidArgumentError(
          "seed \"token_ttl_seconds\" must be a whole number of seconds, 1 or more");
    }
    seed.token_ttl_seconds = doc["token_ttl_seconds"].get<int64_t>();
  }
  if (doc.contains("rate_limit")) {
    const json& limit = doc["rate_limit"];
    RateLimitConfig config;
    if (!limit.is_object()) {
      return absl::InvalidArgumentError(
          "seed \"rate_limit\" must be an object like {\"limit\":50,\"window_seconds\":30}");
    }
    for (const auto& [key, value] : limit.items()) {
      if (key != "limit" && key != "window_seconds") {
        return absl::InvalidArgumentError(absl::StrCat("seed \"rate_limit\" has unknown field \"",
                                                       key, "\"; use limit, window_seconds"));
      }
      if (!value.is_number_integer() || value.get<int64_t>() < 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("seed \"rate_limit\".", key, " must be a whole number, 1 or more"));
      }
    }
    if (limit.contains("limit")) config.limit = limit["limit"];
    if (limit.contains("window_seconds")) config.window_seconds = limit["window_seconds"];
    seed.rate_limit = config;
  }
  return seed;
}

}  // namespace hiresync::greenhouse_sandbox
