// The connections file: JSON whose schema is hiresync.v1.ConfigFile, loaded,
// validated and with its secrets resolved (from files or environment variables).
// Errors name the bad key, e.g. `connections[0].goco.api_key: file "/x" cannot be read`.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "hiresync/v1/config.pb.h"

namespace hiresync::config {

// A connection with its secrets read and its defaults filled in.
struct Connection {
  hiresync::v1::Connection proto;  // the Secret messages stay references, never values
  std::string webhook_secret;
  std::string goco_api_key;
  std::string harvest_client_id;      // empty when not configured
  std::string harvest_client_secret;  // empty when not configured

  const std::string& id() const { return proto.id(); }
  bool paused() const { return proto.state() == hiresync::v1::Connection::PAUSED; }
  bool disabled() const { return proto.state() == hiresync::v1::Connection::DISABLED; }
};

class Connections {
 public:
  // nullptr when there is no such connection.
  const Connection* Find(std::string_view id) const;
  const std::map<std::string, Connection, std::less<>>& all() const { return by_id_; }
  size_t size() const { return by_id_.size(); }

 private:
  friend absl::StatusOr<std::shared_ptr<const Connections>> Parse(std::string_view, std::string_view,
                                                                  const std::string&);
  std::map<std::string, Connection, std::less<>> by_id_;
};

// Parses and validates JSON text; `source` names it in errors. Relative secret file
// paths are read relative to `base_dir` (the current directory when empty).
absl::StatusOr<std::shared_ptr<const Connections>> Parse(std::string_view json,
                                                         std::string_view source,
                                                         const std::string& base_dir = "");

// Reads the file at `path` and parses it; relative secret paths are relative to its folder.
absl::StatusOr<std::shared_ptr<const Connections>> Load(const std::string& path);

// Where a service reads the current connections from; they change on a reload.
using ConnectionsFn = std::function<std::shared_ptr<const Connections>()>;

// The current connections of a process, replaced whole by a reload (SIGHUP). Readers
// keep the snapshot they took for as long as they use it.
class ConnectionsSource {
 public:
  explicit ConnectionsSource(std::shared_ptr<const Connections> initial)
      : current_(std::move(initial)) {}
  std::shared_ptr<const Connections> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  // Re-reads `path`; a bad file is refused with its error and the current one kept.
  absl::Status Reload(const std::string& path);
  // Reload(path), with a log line saying which way it went (SIGHUP in a service's main).
  void ReloadAndLog(const std::string& path);
  ConnectionsFn AsFn() const {
    return [this] { return Get(); };
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Connections> current_;
};

// The mapping options with defaults filled in ("Job Title", "Employment Type", ...).
hiresync::v1::MappingOptions EffectiveMapping(const hiresync::v1::MappingOptions& options);

}  // namespace hiresync::config
