#include "common/config/config.h"

#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace hiresync::config {
namespace {

using hiresync::v1::Secret;

absl::StatusOr<std::string> ResolveSecret(const Secret& secret, const std::string& key,
                                          bool required, const std::string& base_dir) {
  switch (secret.source_case()) {
    case Secret::kFile: {
      std::string path = secret.file();
      if (!path.empty() && path[0] != '/' && !base_dir.empty()) path = base_dir + "/" + path;
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        return absl::InvalidArgumentError(absl::StrCat(
            key, ".file: \"", path,
            "\" cannot be read: check the path and that the process may read it"));
      }
      std::stringstream ss;
      ss << in.rdbuf();
      std::string value(absl::StripAsciiWhitespace(ss.str()));
      if (value.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(key, ".file: \"", path, "\" is empty: put the secret in it"));
      }
      return value;
    }
    case Secret::kEnv: {
      const char* raw = std::getenv(secret.env().c_str());
      std::string value = raw ? std::string(absl::StripAsciiWhitespace(raw)) : "";
      if (value.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            key, ".env: environment variable ", secret.env(), " is not set or empty"));
      }
      return value;
    }
    case Secret::SOURCE_NOT_SET:
      if (required) {
        return absl::InvalidArgumentError(absl::StrCat(
            key, ": missing; give {\"file\": \"/path\"} or {\"env\": \"VAR\"} (never the value "
                 "itself)"));
      }
      return std::string();
  }
  return absl::InternalError("unreachable");
}

absl::Status CheckUrl(const std::string& url, const std::string& key, bool required) {
  if (url.empty()) {
    return required ? absl::InvalidArgumentError(absl::StrCat(key, ": missing; give an http(s) URL"))
                    : absl::OkStatus();
  }
  // A scan, not std::regex: regex_match recurses per character and a long value would
  // overflow the stack instead of being refused.
  auto is_url = [&url] {
    size_t rest = url.rfind("https://", 0) == 0 ? 8 : url.rfind("http://", 0) == 0 ? 7 : 0;
    if (rest == 0 || url.size() > 2048) return false;
    for (char c : url) {
      if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
    }
    size_t slash = url.find('/', rest);
    return (slash == std::string::npos ? url.size() : slash) > rest;  // a non-empty host
  };
  if (!is_url()) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": \"", url, "\" is not an http(s) URL"));
  }
  return absl::OkStatus();
}

}  // namespace

const Connection* Connections::Find(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

hiresync::v1::MappingOptions EffectiveMapping(const hiresync::v1::MappingOptions& options) {
  hiresync::v1::MappingOptions out = options;
  if (out.job_title_field().empty()) out.set_job_title_field("Job Title");
  if (out.employment_type_field().empty()) out.set_employment_type_field("Employment Type");
  if (out.note_visibility() == hiresync::v1::MappingOptions::NOTE_VISIBILITY_UNSPECIFIED) {
    out.set_note_visibility(hiresync::v1::MappingOptions::ADMIN_ONLY);
  }
  if (out.duplicate_rule() == hiresync::v1::MappingOptions::DUPLICATE_RULE_UNSPECIFIED) {
    out.set_duplicate_rule(hiresync::v1::MappingOptions::FIRST_LAST_NAME);
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const Connections>> Parse(std::string_view json,
                                                         std::string_view source,
                                                         const std::string& base_dir) {
  const std::string src(source);
  hiresync::v1::ConfigFile file;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &file, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        src, ": not a valid hiresync config: ", parsed.message().as_string(),
        " (see the README's configuration section for the schema)"));
  }
  auto connections = std::make_shared<Connections>();
  static const std::regex kId(R"(^[a-z0-9][a-z0-9_-]{0,62}$)");
  for (int i = 0; i < file.connections_size(); ++i) {
    const auto& proto = file.connections(i);
    std::string key = absl::StrCat(src, ": connections[", i, "]");
    auto fail = [&](const absl::Status& s) {
      return absl::InvalidArgumentError(absl::StrCat(key, ".", s.message()));
    };
    if (!std::regex_match(proto.id(), kId)) {
      return absl::InvalidArgumentError(absl::StrCat(
          key, ".id: \"", proto.id(),
          "\" is not a valid id: use 1-63 lowercase letters, digits, '-' or '_'"));
    }
    key = absl::StrCat(src, ": connections[", i, "] (id \"", proto.id(), "\")");
    if (connections->by_id_.count(proto.id())) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ".id: used twice; every connection needs its own id"));
    }
    Connection conn;
    conn.proto = proto;
    *conn.proto.mutable_mapping() = EffectiveMapping(proto.mapping());
    if (conn.proto.state() == hiresync::v1::Connection::STATE_UNSPECIFIED) {
      conn.proto.set_state(hiresync::v1::Connection::ACTIVE);
    }
    if (proto.retry_budget().max_attempts() < 0 || proto.retry_budget().max_age_seconds() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          key, ".retry_budget: max_attempts and max_age_seconds must be positive (or left out "
               "for ingress's defaults)"));
    }
    auto secret = ResolveSecret(proto.webhook_secret(), "webhook_secret", true, base_dir);
    if (!secret.ok()) return fail(secret.status());
    conn.webhook_secret = *secret;
    auto url = CheckUrl(proto.goco().base_url(), "goco.base_url", true);
    if (!url.ok()) return fail(url);
    auto api_key = ResolveSecret(proto.goco().api_key(), "goco.api_key", true, base_dir);
    if (!api_key.ok()) return fail(api_key.status());
    conn.goco_api_key = *api_key;
    const auto& gh = proto.greenhouse();
    auto client_id = ResolveSecret(gh.harvest_client_id(), "greenhouse.harvest_client_id", false, base_dir);
    if (!client_id.ok()) return fail(client_id.status());
    conn.harvest_client_id = *client_id;
    auto client_secret =
        ResolveSecret(gh.harvest_client_secret(), "greenhouse.harvest_client_secret", false, base_dir);
    if (!client_secret.ok()) return fail(client_secret.status());
    conn.harvest_client_secret = *client_secret;
    if (conn.harvest_client_id.empty() != conn.harvest_client_secret.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          key, ".greenhouse: give both harvest_client_id and harvest_client_secret, or neither"));
    }
    for (auto [value, name] : {std::pair{gh.harvest_base_url(), "greenhouse.harvest_base_url"},
                               std::pair{gh.token_url(), "greenhouse.token_url"}}) {
      auto ok = CheckUrl(value, name, false);
      if (!ok.ok()) return fail(ok);
    }
    connections->by_id_.emplace(proto.id(), std::move(conn));
  }
  return std::shared_ptr<const Connections>(std::move(connections));
}

absl::Status ConnectionsSource::Reload(const std::string& path) {
  auto loaded = Load(path);
  if (!loaded.ok()) return loaded.status();
  std::lock_guard<std::mutex> lock(mu_);
  current_ = *loaded;
  return absl::OkStatus();
}

void ConnectionsSource::ReloadAndLog(const std::string& path) {
  if (absl::Status status = Reload(path); !status.ok()) {
    log::Error("config reload refused; keeping the previous one",
               {{"error", std::string(status.message())}});
  } else {
    log::Info("config reloaded", {{"connections", Get()->size()}});
  }
}

absl::StatusOr<std::shared_ptr<const Connections>> Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("config file \"", path, "\" cannot be read: check --config / HIRESYNC_CONFIG"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  if (dir.empty()) dir = "/";
  return Parse(ss.str(), path, dir);
}

}  // namespace hiresync::config
