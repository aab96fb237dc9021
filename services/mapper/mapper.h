// Greenhouse hire -> NewHire, following the GoCo Workato recipe's field table, plus the
// problems a recruiter should hear about. Pure logic: no I/O, never throws.
#pragma once

#include <string>

#include "hiresync/v1/config.pb.h"
#include "hiresync/v1/hire_event.pb.h"
#include "hiresync/v1/mapper.pb.h"

namespace hiresync::mapper {

inline constexpr char kDefaultJobTitleField[] = "Job Title";
inline constexpr char kDefaultEmploymentTypeField[] = "Employment Type";

class Mapper {
 public:
  hiresync::v1::MapResponse Map(const hiresync::v1::HireEvent& event,
                                const hiresync::v1::MappingOptions& options) const;
};

// Trims and collapses inner runs of whitespace to one space.
std::string NormalizeSpaces(const std::string& text);

// A real calendar date written YYYY-MM-DD.
bool IsCalendarDate(const std::string& text);

// Greenhouse-style key of a field name: lowercase, every non-alphanumeric -> '_'.
std::string Slug(const std::string& name);

// GoCo's document category for a Greenhouse attachment type.
std::string DocumentCategory(const std::string& attachment_type);

}  // namespace hiresync::mapper
