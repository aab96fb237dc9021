#include "common/notes/note_text.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hiresync::notes {
namespace {

using hiresync::v1::PostNoteRequest;
using hiresync::v1::Problem;

constexpr char kResend[] =
    "then send the hire again: in Greenhouse un-hire the candidate and mark them hired again, or "
    "ask your hiresync operator to replay this event";

std::string Quoted(const std::string& value) { return absl::StrCat("\"", value, "\""); }

// "the value "X" " or "" when Greenhouse had none.
std::string Value(const Problem& problem) {
  return problem.value().empty() ? "" : absl::StrCat(" ", Quoted(problem.value()));
}

std::string CatalogHint(const Problem& problem, const char* what, const char* where) {
  return absl::StrCat("To fix: in GoCo add the ", what, Value(problem), " under ", where,
                      ", spelled exactly as Greenhouse has it, then set it on the employee in "
                      "GoCo.");
}

// A short "what to do" for the codes the mapper and writer produce; "" for others.
std::string Hint(const Problem& problem) {
  const std::string& code = problem.code();
  if (code == "department_not_in_goco") {
    return CatalogHint(problem, "department", "Company Settings > Departments");
  }
  if (code == "location_not_in_goco") {
    return CatalogHint(problem, "work location", "Company Settings > Work Locations");
  }
  if (code == "employment_type_not_in_goco") {
    return CatalogHint(problem, "employment type", "Company Settings > Employment Types");
  }
  if (code == "job_title_not_in_goco") {
    return absl::StrCat("To fix: in GoCo add the job title", Value(problem),
                        " under Company Settings > Job Titles. Job titles must match exactly "
                        "(same spelling, spaces and capitals), then set it on the employee in "
                        "GoCo.");
  }
  // offer_field_missing / offer_field_empty: the mapper's message already says how to fix it.
  if (code == "document_not_downloaded") {
    return absl::StrCat("To fix: download the document", Value(problem),
                        " from the candidate's profile in Greenhouse and upload it to the "
                        "employee's documents in GoCo.");
  }
  if (code == "document_not_uploaded") {
    return absl::StrCat("To fix: upload the document", Value(problem),
                        " to the employee's documents in GoCo by hand.");
  }
  return "";
}

std::string Bullet(const Problem& problem) {
  std::string text = problem.message();
  if (text.empty()) {
    text = absl::StrCat(problem.code().empty() ? "A problem" : problem.code(),
                        problem.field().empty() ? "" : absl::StrCat(" (", problem.field(), ")"),
                        Value(problem));
  }
  if (problem.code() == "goco_validation_failed" && !problem.field().empty()) {
    text = absl::StrCat(problem.field(), ": ", text);
  }
  std::string bullet = absl::StrCat("- ", text);
  std::string hint = Hint(problem);
  if (!hint.empty()) absl::StrAppend(&bullet, "\n  ", hint);
  return bullet;
}

bool HasCode(const PostNoteRequest& request, const std::string& code) {
  for (const Problem& problem : request.problems()) {
    if (problem.code() == code) return true;
  }
  return false;
}

// GoCo's 401/403 (as a number of its own) together with words about the key.
bool MentionsCredentials(const std::string& reason) {
  bool status = false;
  for (const char* code : {"401", "403"}) {
    for (size_t at = reason.find(code); at != std::string::npos; at = reason.find(code, at + 1)) {
      bool digit_before = at > 0 && absl::ascii_isdigit(static_cast<unsigned char>(reason[at - 1]));
      bool digit_after =
          at + 3 < reason.size() && absl::ascii_isdigit(static_cast<unsigned char>(reason[at + 3]));
      if (!digit_before && !digit_after) status = true;
    }
  }
  std::string lower = absl::AsciiStrToLower(reason);
  return status && (absl::StrContains(lower, "key") || absl::StrContains(lower, "credential") ||
                    absl::StrContains(lower, "unauthori") || absl::StrContains(lower, "forbidden"));
}

struct Text {
  std::string headline;
  std::vector<std::string> paragraphs;
  std::string bullets_heading;
};

Text NotSynced(const PostNoteRequest& request) {
  Text text;
  bool no_first = HasCode(request, "missing_first_name");
  bool no_last = HasCode(request, "missing_last_name");
  if (no_first || no_last) {
    std::string missing = no_first && no_last ? "first and last name"
                          : no_first          ? "first name"
                                              : "last name";
    text.headline = absl::StrCat("Not synced to GoCo: the candidate's ", missing, " is missing.");
    text.paragraphs.push_back(absl::StrCat(
        "GoCo needs a first and last name for every employee. Fill in the name on the candidate "
        "in Greenhouse, ",
        kResend, "."));
    text.bullets_heading = "What hiresync found:";
    return text;
  }
  if (!request.employee_id().empty()) {
    text.headline = absl::StrCat(
        "Not synced: a GoCo employee with this first and last name already exists (GoCo id ",
        request.employee_id(), ").");
    text.paragraphs.push_back(
        "If they are the same person, nothing is needed. If they are a different person, ask "
        "your hiresync operator to replay this hire with 'sync even if the name exists', or add "
        "the employee in GoCo by hand.");
    if (!request.reason().empty()) {
      text.paragraphs.push_back(absl::StrCat("Details: ", request.reason()));
    }
    text.bullets_heading = "Also noted:";
    return text;
  }
  if (MentionsCredentials(request.reason())) {
    text.headline = "Not synced to GoCo yet: GoCo refused hiresync's API key.";
    text.paragraphs.push_back(
        "A GoCo admin must update this connection's GoCo API key (ask your hiresync operator). "
        "The hire is kept and is synced as soon as the key works; nothing needs doing in "
        "Greenhouse.");
    text.paragraphs.push_back(absl::StrCat("Details: ", request.reason()));
    text.bullets_heading = "Also noted:";
    return text;
  }
  if (!request.reason().empty()) {
    text.headline = "Not synced: GoCo refused the employee.";
    text.paragraphs.push_back(request.reason());
    text.paragraphs.push_back(
        absl::StrCat("Correct the value GoCo named on the candidate, job or "
                     "offer in Greenhouse, ",
                     kResend, "."));
    text.bullets_heading = "Fields GoCo named:";
    return text;
  }
  text.headline = "Not synced to GoCo.";
  text.paragraphs.push_back(absl::StrCat("Fix what is listed below in Greenhouse, ", kResend, "."));
  text.bullets_heading = "What hiresync found:";
  return text;
}

Text Compose(const PostNoteRequest& request) {
  Text text;
  std::string as_employee =
      request.employee_id().empty() ? "" : absl::StrCat(" as employee ", request.employee_id());
  switch (request.kind()) {
    case PostNoteRequest::SYNCED:
      text.headline = absl::StrCat("Synced to GoCo", as_employee, ".");
      text.bullets_heading = "Noted:";
      return text;
    case PostNoteRequest::SYNCED_WITH_WARNINGS:
      if (request.problems().empty()) {
        text.headline = absl::StrCat("Synced to GoCo", as_employee, ".");
        return text;
      }
      text.headline = absl::StrCat("Synced to GoCo", as_employee, ", but without:");
      text.paragraphs.push_back(
          "The employee exists in GoCo; add what is missing in GoCo by hand, or fix it in "
          "Greenhouse for future hires.");
      return text;
    case PostNoteRequest::GAVE_UP:
      text.headline = "Not synced to GoCo: hiresync gave up after retrying.";
      text.paragraphs.push_back(request.reason().empty()
                                    ? "hiresync tried for a long time without success."
                                    : absl::StrCat("What was tried: ", request.reason()));
      text.paragraphs.push_back(
          "The hire is not in GoCo. Ask your hiresync operator to fix the cause and replay this "
          "event, or add the employee in GoCo by hand.");
      text.bullets_heading = "Also noted:";
      return text;
    case PostNoteRequest::NOT_SYNCED:
    default:
      return NotSynced(request);
  }
}

}  // namespace

std::string MarkerLine(const std::string& event_id) {
  return absl::StrCat("hiresync event ", event_id);
}

std::string KindName(PostNoteRequest::Kind kind) {
  return absl::AsciiStrToLower(PostNoteRequest::Kind_Name(kind));
}

std::string ComposeNote(const PostNoteRequest& request) {
  Text text = Compose(request);
  std::vector<std::string> bullets;
  for (const Problem& problem : request.problems()) bullets.push_back(Bullet(problem));

  std::string body = absl::StrCat(kNotePrefix, " ", text.headline);
  if (request.kind() == PostNoteRequest::SYNCED_WITH_WARNINGS && !bullets.empty()) {
    absl::StrAppend(&body, "\n", absl::StrJoin(bullets, "\n"));
    bullets.clear();
  }
  for (const std::string& paragraph : text.paragraphs) absl::StrAppend(&body, "\n\n", paragraph);
  if (!bullets.empty()) {
    absl::StrAppend(&body, "\n\n", text.bullets_heading, "\n", absl::StrJoin(bullets, "\n"));
  }
  absl::StrAppend(&body, "\n\n", MarkerLine(request.event_id()));
  return body;
}

}  // namespace hiresync::notes
