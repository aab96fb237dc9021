#include "absl/strings/match.h"
#include "common/store/inbox.h"

namespace hiresync::store {

absl::StatusOr<std::unique_ptr<OperatorInbox>> OpenInbox(const std::string& location) {
  if (location.empty()) {
    return absl::InvalidArgumentError(
        "no inbox location: give a SQLite file path or a postgresql://user@host:port/dbname URL");
  }
  if (absl::StartsWith(location, "postgresql://") || absl::StartsWith(location, "postgres://")) {
    return OpenPostgresInbox(location);
  }
  if (absl::StrContains(location, "://")) {
    return absl::InvalidArgumentError(
        "the inbox URL's scheme is not supported: use postgresql://user@host:port/dbname for "
        "PostgreSQL or a plain file path for SQLite");
  }
  return OpenSqliteInbox(location);
}

}  // namespace hiresync::store
