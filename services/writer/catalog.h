// One connection's GoCo catalog (departments, locations, job titles, employment types),
// cached; names resolve to ids by exact, case-sensitive match. A name not found refreshes
// that list from GoCo once before it is reported missing.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "hiresync/v1/new_hire.pb.h"
#include "services/writer/goco_client.h"

namespace hiresync::writer {

class Catalog {
 public:
  explicit Catalog(GoCoApi* goco) : goco_(goco) {}

  // The GoCo id for `name`, or nullopt when GoCo has no such entry (after one refresh).
  // Errors are GoCo call failures.
  absl::StatusOr<std::optional<std::string>> Resolve(CatalogKind kind, const std::string& name);

  // How many times each list was fetched from GoCo; for tests and logs.
  int fetches(CatalogKind kind) const;

 private:
  absl::Status Fill(CatalogKind kind);

  GoCoApi* goco_;
  mutable std::mutex mutex_;
  std::map<CatalogKind, std::map<std::string, std::string>> by_name_;
  std::map<CatalogKind, int> fetches_;
};

// The NewHire field a catalog kind comes from, e.g. "department".
std::string FieldName(CatalogKind kind);

// The WARNING told to the recruiter when GoCo lacks `value`.
hiresync::v1::Problem MissingInGoCo(CatalogKind kind, const std::string& value);

}  // namespace hiresync::writer
