#include "services/mapper/mapper.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hiresync::mapper {
namespace {

// "a job title", "an employment type".
std::string WithArticle(const std::string& words) {
  bool vowel = !words.empty() && std::string("aeiou").find(words[0]) != std::string::npos;
  return absl::StrCat(vowel ? "an " : "a ", words);
}


using google::protobuf::RepeatedPtrField;
using v1::Problem;

constexpr char kResend[] = "re-send the hire (mark the candidate as hired again, or replay the "
                           "event in hiresync)";

void AddProblem(v1::MapResponse* response, Problem::Severity severity, const std::string& code,
                const std::string& field, const std::string& value, const std::string& message) {
  Problem* problem = response->add_problems();
  problem->set_severity(severity);
  problem->set_code(code);
  problem->set_field(field);
  problem->set_value(value);
  problem->set_message(message);
}

void Warn(v1::MapResponse* response, const std::string& code, const std::string& field,
          const std::string& value, const std::string& message) {
  AddProblem(response, Problem::WARNING, code, field, value, message);
}

std::string Lower(const std::string& text) { return absl::AsciiStrToLower(text); }

std::string Trim(const std::string& text) {
  return std::string(absl::StripAsciiWhitespace(text));
}

std::string Quoted(const std::string& text) { return absl::StrCat("'", text, "'"); }

void MapName(const std::string& raw, const std::string& field, const std::string& words,
             std::string* out, v1::MapResponse* response) {
  *out = NormalizeSpaces(raw);
  if (!out->empty()) return;
  AddProblem(response, Problem::ERROR, absl::StrCat("missing_", field), field, "",
             absl::StrCat("The candidate has no ", words,
                          " in Greenhouse, so this hire was not synced to GoCo. Fill in the "
                          "candidate's ",
                          words, " in Greenhouse, then ", kResend, "."));
}

// The distinct types of `values`, in order, for telling the recruiter what exists.
std::string TypesOf(const RepeatedPtrField<v1::TypedValue>& values) {
  std::vector<std::string> types;
  std::set<std::string> seen;
  for (const v1::TypedValue& value : values) {
    std::string type = Lower(Trim(value.type()));
    if (type.empty()) type = "untyped";
    if (seen.insert(type).second) types.push_back(type);
  }
  return absl::StrJoin(types, ", ");
}

// The first non-empty value of `type`; when there is none but other values exist,
// a warning naming their types.
void MapTypedValue(const RepeatedPtrField<v1::TypedValue>& values, const std::string& type,
                   const std::string& field, const std::string& code, const std::string& what,
                   std::string* out, v1::MapResponse* response) {
  bool any = false;
  for (const v1::TypedValue& value : values) {
    std::string text = Trim(value.value());
    if (text.empty()) continue;
    any = true;
    if (Lower(Trim(value.type())) == type) {
      *out = text;
      return;
    }
  }
  if (!any) return;
  Warn(response, code, field, "",
       absl::StrCat("The candidate has no ", type, " ", what, " in Greenhouse (only: ",
                    TypesOf(values), "), and hiresync sends only the ", type,
                    " one, so GoCo gets no ", what, " for this employee. Add a ", type, " ", what,
                    " to the candidate in Greenhouse and ", kResend, ", or enter it in GoCo."));
}

void MapStartDate(const v1::Application& application, v1::NewHire* hire,
                  v1::MapResponse* response) {
  if (!application.has_offer()) {
    Warn(response, "no_offer", "start_date", "",
         absl::StrCat("The hire has no offer in Greenhouse, so it is synced to GoCo without a "
                      "start date, job title and employment type. Enter them in GoCo, or create "
                      "and accept the offer in Greenhouse and ",
                      kResend, "."));
    return;
  }
  std::string starts_at = Trim(application.offer().starts_at());
  if (starts_at.empty()) {
    Warn(response, "no_start_date", "start_date", "",
         absl::StrCat("The offer has no start date in Greenhouse, so the hire is synced to GoCo "
                      "without one. Set the start date on the offer in Greenhouse and ",
                      kResend, ", or enter it in GoCo."));
    return;
  }
  if (!IsCalendarDate(starts_at)) {
    Warn(response, "invalid_start_date", "start_date", application.offer().starts_at(),
         absl::StrCat("The offer's start date ", Quoted(application.offer().starts_at()),
                      " is not a real date written YYYY-MM-DD, so the hire is synced to GoCo "
                      "without a start date. Correct the start date on the offer in Greenhouse "
                      "and ",
                      kResend, ", or enter it in GoCo."));
    return;
  }
  hire->set_start_date(starts_at);
}

// Exact name first, then the trimmed name case-insensitively, then the key that
// Greenhouse derives from the name.
const v1::CustomField* FindField(const RepeatedPtrField<v1::CustomField>& fields,
                                 const std::string& name) {
  for (const v1::CustomField& field : fields) {
    if (field.name() == name) return &field;
  }
  std::string wanted = Lower(NormalizeSpaces(name));
  for (const v1::CustomField& field : fields) {
    if (Lower(NormalizeSpaces(field.name())) == wanted) return &field;
  }
  std::string slug = Slug(name);
  for (const v1::CustomField& field : fields) {
    if (field.key() == slug) return &field;
  }
  return nullptr;
}

void MapOfferField(const v1::Application& application, const std::string& configured,
                   const char* default_name, const std::string& field, const std::string& words,
                   std::string* out, v1::MapResponse* response) {
  if (!application.has_offer()) return;  // "no_offer" already says it.
  std::string name = Trim(configured);
  if (name.empty()) name = default_name;
  const v1::CustomField* found = FindField(application.offer().custom_fields(), name);
  if (found == nullptr) {
    std::string on_job;
    for (const v1::Job& job : application.jobs()) {
      if (FindField(job.custom_fields(), name) != nullptr) {
        on_job = absl::StrCat(" The job has an ", Quoted(name),
                              " field, but hiresync reads the offer's, as the GoCo recipe does.");
        break;
      }
    }
    Warn(response, "offer_field_missing", field, "",
         absl::StrCat("The offer has no ", Quoted(name), " custom field, so the hire is synced "
                      "to GoCo without ",
                      WithArticle(words), ".", on_job,
                      " In Greenhouse, add the offer custom field under Configure > Custom "
                      "Options > Offer Fields with the name exactly ",
                      Quoted(name), ", fill it in on the offer, then ", kResend,
                      "; or enter the ", words, " in GoCo."));
    return;
  }
  std::string value = Trim(found->value());
  if (!found->has_value() || value.empty()) {
    Warn(response, "offer_field_empty", field, "",
         absl::StrCat("The offer's ", Quoted(found->name().empty() ? name : found->name()),
                      " field is empty in Greenhouse, so the hire is synced to GoCo without ",
                      WithArticle(words), ". Fill it in on the offer in Greenhouse and ", kResend,
                      ", or enter the ", words, " in GoCo."));
    return;
  }
  *out = value;
}

std::string JobLabel(const v1::Job& job) {
  std::string name = NormalizeSpaces(job.name());
  return name.empty() ? "The job" : absl::StrCat("The job ", Quoted(name));
}

void MapJob(const v1::Application& application, v1::NewHire* hire, v1::MapResponse* response) {
  if (application.jobs().empty()) {
    Warn(response, "no_department", "department", "",
         absl::StrCat("The application has no job in Greenhouse, so the hire is synced to GoCo "
                      "without a department. Set the department in GoCo."));
    Warn(response, "no_office", "location", "",
         absl::StrCat("The application has no job in Greenhouse, so the hire is synced to GoCo "
                      "without a location. Set the location in GoCo."));
    return;
  }
  const v1::Job& job = application.jobs(0);
  for (const v1::Department& department : job.departments()) {
    std::string name = NormalizeSpaces(department.name());
    if (name.empty()) continue;
    hire->set_department(name);
    break;
  }
  if (hire->department().empty()) {
    Warn(response, "no_department", "department", "",
         absl::StrCat(JobLabel(job),
                      " has no department in Greenhouse, so the hire is synced to GoCo without "
                      "one. Set the job's department in Greenhouse and ",
                      kResend, ", or set it in GoCo."));
  }
  std::vector<std::string> offices;
  for (const v1::Office& office : job.offices()) {
    std::string name = NormalizeSpaces(office.name());
    if (!name.empty()) offices.push_back(name);
  }
  if (offices.empty()) {
    Warn(response, "no_office", "location", "",
         absl::StrCat(JobLabel(job),
                      " has no office in Greenhouse, so the hire is synced to GoCo without a "
                      "location. Set the job's office in Greenhouse and ",
                      kResend, ", or set the location in GoCo."));
    return;
  }
  hire->set_location(offices.front());
  if (offices.size() > 1) {
    std::string all = absl::StrJoin(offices, ", ");
    Warn(response, "several_offices", "location", all,
         absl::StrCat(JobLabel(job), " has several offices in Greenhouse (", all,
                      "); hiresync used the first one, ", Quoted(offices.front()),
                      ", as the employee's location. If the employee works elsewhere, change "
                      "the location in GoCo."));
  }
}

void MapDocuments(const v1::Candidate& candidate, v1::NewHire* hire) {
  std::set<std::string> urls;
  int position = 0;
  for (const v1::Attachment& attachment : candidate.attachments()) {
    ++position;
    std::string url = Trim(attachment.url());
    if (url.empty() || !urls.insert(url).second) continue;
    std::string type = Lower(Trim(attachment.type()));
    std::string filename = Trim(attachment.filename());
    if (filename.empty()) {
      filename = absl::StrCat(type.empty() ? "attachment" : type, "-", position, ".bin");
    }
    v1::Document* document = hire->add_documents();
    document->set_filename(filename);
    document->set_url(url);
    document->set_category(DocumentCategory(type));
    document->set_source_type(attachment.type());
  }
}

}  // namespace

std::string NormalizeSpaces(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char c : text) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool IsCalendarDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  auto number = [&text](int from, int length) {
    int value = 0;
    for (int i = from; i < from + length; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  int year = number(0, 4), month = number(5, 2), day = number(8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= days;
}

std::string Slug(const std::string& name) {
  std::string slug = Trim(name);
  for (char& c : slug) {
    unsigned char u = static_cast<unsigned char>(c);
    c = absl::ascii_isalnum(u) ? absl::ascii_tolower(u) : '_';
  }
  return slug;
}

std::string DocumentCategory(const std::string& attachment_type) {
  std::string type = Lower(Trim(attachment_type));
  if (type == "resume") return "resume";
  if (type == "cover_letter") return "cover_letter";
  if (type == "offer_letter" || type == "offer_packet") return "offer_letter";
  if (type == "signed_offer_letter") return "signed_offer_letter";
  return "other";
}

v1::MapResponse Mapper::Map(const v1::HireEvent& event, const v1::MappingOptions& options) const {
  v1::MapResponse response;
  const v1::Application& application = event.application();
  const v1::Candidate& candidate = application.candidate();
  v1::NewHire* hire = response.mutable_new_hire();
  hire->set_connection_id(event.connection_id());
  hire->set_candidate_id(candidate.id());
  hire->set_application_id(application.id());

  MapName(candidate.first_name(), "first_name", "first name", hire->mutable_first_name(),
          &response);
  MapName(candidate.last_name(), "last_name", "last name", hire->mutable_last_name(), &response);
  MapTypedValue(candidate.email_addresses(), "personal", "personal_email", "no_personal_email",
                "email address", hire->mutable_personal_email(), &response);
  MapTypedValue(candidate.phone_numbers(), "mobile", "personal_phone", "no_mobile_phone",
                "phone number", hire->mutable_personal_phone(), &response);
  MapStartDate(application, hire, &response);
  MapOfferField(application, options.job_title_field(), kDefaultJobTitleField, "job_title",
                "job title", hire->mutable_job_title(), &response);
  MapOfferField(application, options.employment_type_field(), kDefaultEmploymentTypeField,
                "employment_type", "employment type", hire->mutable_employment_type(),
                &response);
  MapJob(application, hire, &response);
  MapDocuments(candidate, hire);

  bool syncable = true;
  for (const Problem& problem : response.problems()) {
    if (problem.severity() == Problem::ERROR) syncable = false;
  }
  response.set_syncable(syncable);
  return response;
}

}  // namespace hiresync::mapper
