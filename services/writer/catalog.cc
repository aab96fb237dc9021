#include "services/writer/catalog.h"

#include "absl/strings/str_cat.h"

namespace hiresync::writer {
namespace {

struct KindText {
  const char* field;
  const char* label;
  const char* where;
};

KindText TextFor(CatalogKind kind) {
  switch (kind) {
    case CatalogKind::kDepartment:
      return {"department", "Department", "Company Settings > Departments"};
    case CatalogKind::kLocation:
      return {"location", "Location", "Company Settings > Work Locations"};
    case CatalogKind::kJobTitle:
      return {"job_title", "Job title", "Company Settings > Job Titles"};
    case CatalogKind::kEmploymentType:
      return {"employment_type", "Employment type", "Company Settings > Employment Types"};
  }
  return {"department", "Department", "Company Settings > Departments"};
}

}  // namespace

std::string FieldName(CatalogKind kind) { return TextFor(kind).field; }

hiresync::v1::Problem MissingInGoCo(CatalogKind kind, const std::string& value) {
  KindText text = TextFor(kind);
  hiresync::v1::Problem problem;
  problem.set_severity(hiresync::v1::Problem::WARNING);
  problem.set_code(absl::StrCat(text.field, "_not_in_goco"));
  problem.set_field(text.field);
  problem.set_value(value);
  problem.set_message(absl::StrCat(
      text.label, " '", value,
      "' does not exist in GoCo, so the employee was created without it. Add it in GoCo under ",
      text.where,
      " with exactly this name (names must match exactly), then set it on the employee's "
      "profile in GoCo; later hires with this value will get it automatically."));
  return problem;
}

absl::Status Catalog::Fill(CatalogKind kind) {
  auto entries = goco_->ListCatalog(kind);
  if (!entries.ok()) return entries.status();
  std::map<std::string, std::string> names;
  for (const CatalogEntry& entry : *entries) names.emplace(entry.name, entry.id);
  by_name_[kind] = std::move(names);
  ++fetches_[kind];
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> Catalog::Resolve(CatalogKind kind,
                                                            const std::string& name) {
  std::lock_guard lock(mutex_);
  bool fetched_now = false;
  if (by_name_.find(kind) == by_name_.end()) {
    if (absl::Status status = Fill(kind); !status.ok()) return status;
    fetched_now = true;
  }
  auto found = by_name_[kind].find(name);
  if (found != by_name_[kind].end()) return std::optional<std::string>(found->second);
  if (!fetched_now) {
    if (absl::Status status = Fill(kind); !status.ok()) return status;
    found = by_name_[kind].find(name);
    if (found != by_name_[kind].end()) return std::optional<std::string>(found->second);
  }
  return std::optional<std::string>();
}

int Catalog::fetches(CatalogKind kind) const {
  std::lock_guard lock(mutex_);
  auto it = fetches_.find(kind);
  return it == fetches_.end() ? 0 : it->second;
}

}  // namespace hiresync::writer
