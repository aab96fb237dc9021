#include "common/greenhouse/webhook.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hiresync::greenhouse {
namespace {

using nlohmann::json;

// The member `key` of `object` when `object` is an object that has it; else null.
const json& Member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::string String(const json& object, const char* key) {
  const json& value = Member(object, key);
  return value.is_string() ? value.get<std::string>() : std::string();
}

// A number, or a string holding an integer; 0 for anything else.
int64_t Id(const json& value) {
  if (value.is_number_unsigned()) {
    uint64_t id = value.get<uint64_t>();
    return id > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
               ? 0
               : static_cast<int64_t>(id);
  }
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_number_float()) {
    double id = value.get<double>();
    if (std::isfinite(id) && std::trunc(id) == id && std::fabs(id) < 9.0e18) {
      return static_cast<int64_t>(id);
    }
    return 0;
  }
  if (value.is_string()) {
    int64_t id = 0;
    std::string text(absl::StripAsciiWhitespace(value.get<std::string>()));
    return absl::SimpleAtoi(text, &id) ? id : 0;
  }
  return 0;
}

int64_t Id(const json& object, const char* key) { return Id(Member(object, key)); }

// `text` with every byte outside printable ASCII written as \xNN: the JSON parser's
// message quotes the bytes it stopped at, which need not be UTF-8, and the message goes
// into a JSON answer that must be.
std::string PrintableAscii(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      out.append({'\\', 'x', kHex[c >> 4], kHex[c & 15]});
    }
  }
  return out;
}

std::string RenderNumber(const json& value) {
  if (value.is_number_integer() || value.is_number_unsigned()) return value.dump();
  // nlohmann prints the shortest text that reads back as the same double, with
  // ".0" appended to integral values, which Greenhouse's users never typed.
  std::string text = value.dump();
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) {
    text.resize(text.size() - 2);
  }
  return text;
}

std::string WithUnit(std::string amount, const std::string& unit) {
  if (amount.empty() || unit.empty()) return amount;
  return absl::StrCat(amount, " ", unit);
}

std::string RenderObject(const json& value) {
  std::string unit = RenderValue(Member(value, "unit"));
  if (value.contains("amount")) return WithUnit(RenderValue(value["amount"]), unit);
  if (value.contains("min_value") || value.contains("max_value")) {
    std::string min = RenderValue(Member(value, "min_value"));
    std::string max = RenderValue(Member(value, "max_value"));
    if (min.empty() && max.empty()) return "";
    return WithUnit(absl::StrCat(min, "-", max), unit);
  }
  // A user (or any other named object) reads as its name.
  std::string name = String(value, "name");
  if (!name.empty()) return name;
  if (value.contains("value")) return RenderValue(value["value"]);
  return value.empty() ? "" : value.dump();
}

void AddTypedValues(const json& array, google::protobuf::RepeatedPtrField<v1::TypedValue>* out) {
  if (!array.is_array()) return;
  for (const json& item : array) {
    std::string value = String(item, "value");
    if (value.empty()) continue;
    v1::TypedValue* typed = out->Add();
    typed->set_value(std::move(value));
    typed->set_type(String(item, "type"));
  }
}

void AddCustomFields(const json& fields,
                     google::protobuf::RepeatedPtrField<v1::CustomField>* out) {
  if (fields.is_object()) {
    for (const auto& [key, field] : fields.items()) *out->Add() = ParseCustomField(key, field);
  } else if (fields.is_array()) {
    // Some payloads (e.g. an opening's) give a list; each item carries its own key.
    for (const json& field : fields) {
      if (!field.is_object()) continue;
      *out->Add() = ParseCustomField(String(field, "key"), field);
    }
  }
}

v1::Candidate ParseCandidate(const json& candidate) {
  v1::Candidate out;
  out.set_id(Id(candidate, "id"));
  out.set_first_name(String(candidate, "first_name"));
  out.set_last_name(String(candidate, "last_name"));
  out.set_url(String(candidate, "url"));
  AddTypedValues(Member(candidate, "email_addresses"), out.mutable_email_addresses());
  AddTypedValues(Member(candidate, "phone_numbers"), out.mutable_phone_numbers());
  const json& attachments = Member(candidate, "attachments");
  if (attachments.is_array()) {
    for (const json& item : attachments) {
      if (!item.is_object()) continue;
      v1::Attachment* attachment = out.add_attachments();
      attachment->set_filename(String(item, "filename"));
      attachment->set_url(String(item, "url"));
      attachment->set_type(String(item, "type"));
    }
  }
  return out;
}

v1::Job ParseJob(const json& job) {
  v1::Job out;
  out.set_id(Id(job, "id"));
  out.set_name(String(job, "name"));
  const json& departments = Member(job, "departments");
  if (departments.is_array()) {
    for (const json& item : departments) {
      if (!item.is_object()) continue;
      v1::Department* department = out.add_departments();
      department->set_id(Id(item, "id"));
      department->set_name(String(item, "name"));
      department->set_external_id(String(item, "external_id"));
    }
  }
  const json& offices = Member(job, "offices");
  if (offices.is_array()) {
    for (const json& item : offices) {
      if (!item.is_object()) continue;
      v1::Office* office = out.add_offices();
      office->set_id(Id(item, "id"));
      office->set_name(String(item, "name"));
      office->set_location(String(item, "location"));
      office->set_external_id(String(item, "external_id"));
    }
  }
  AddCustomFields(Member(job, "custom_fields"), out.mutable_custom_fields());
  return out;
}

v1::Offer ParseOffer(const json& offer) {
  v1::Offer out;
  out.set_id(Id(offer, "id"));
  int64_t version = Id(offer, "version");
  if (version >= std::numeric_limits<int32_t>::min() &&
      version <= std::numeric_limits<int32_t>::max()) {
    out.set_version(static_cast<int32_t>(version));
  }
  out.set_starts_at(String(offer, "starts_at"));
  out.set_resolved_at(String(offer, "resolved_at"));
  AddCustomFields(Member(offer, "custom_fields"), out.mutable_custom_fields());
  return out;
}

}  // namespace

std::string RenderValue(const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      return value.get<std::string>();
    case json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return RenderNumber(value);
    case json::value_t::array: {
      std::vector<std::string> parts;
      for (const json& item : value) {
        std::string part = RenderValue(item);
        if (!part.empty()) parts.push_back(std::move(part));
      }
      return absl::StrJoin(parts, ", ");
    }
    case json::value_t::object:
      return RenderObject(value);
    default:
      return "";
  }
}

v1::CustomField ParseCustomField(const std::string& key, const json& field) {
  v1::CustomField out;
  out.set_key(key);
  // A bare value instead of {name, type, value} is read as the value.
  const json& value = field.is_object() ? Member(field, "value") : field;
  if (field.is_object()) {
    out.set_name(String(field, "name"));
    out.set_type(String(field, "type"));
  }
  out.set_value(RenderValue(value));
  out.set_has_value(!out.value().empty());
  return out;
}

absl::StatusOr<Envelope> ParseEnvelope(std::string_view body) {
  json root;
  try {
    root = json::parse(body.begin(), body.end());
  } catch (const json::parse_error& error) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the webhook body is not valid JSON (error at byte ", error.byte, ": ",
        PrintableAscii(error.what()),
        "); Greenhouse sends JSON, so check that the sender posts the body unchanged"));
  } catch (const json::exception& error) {
    // A number too large for a double (e.g. 1e400) is JSON the parser cannot hold.
    return absl::InvalidArgumentError(absl::StrCat(
        "the webhook body cannot be read as JSON (", PrintableAscii(error.what()),
        "); Greenhouse sends JSON, so check that the sender posts the body unchanged"));
  }
  if (!root.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the webhook body is JSON but not an object (it is ", std::string(root.type_name()),
        "); a Greenhouse webhook body is {\"action\": ..., \"payload\": {...}}"));
  }
  const json& action = Member(root, "action");
  if (!action.is_string()) {
    return absl::InvalidArgumentError(
        action.is_null()
            ? "the webhook body has no \"action\": a Greenhouse webhook names its event in "
              "\"action\" (e.g. \"hire_candidate\"); check the sender"
            : "the webhook body's \"action\" is not a string: a Greenhouse webhook names its "
              "event in \"action\" as text (e.g. \"hire_candidate\"); check the sender");
  }
  const json& payload = Member(root, "payload");
  if (!payload.is_object()) {
    return absl::InvalidArgumentError(
        payload.is_null()
            ? "the webhook body has no \"payload\" object: a Greenhouse webhook carries its "
              "data in \"payload\"; check the sender"
            : "the webhook body's \"payload\" is not an object: a Greenhouse webhook carries "
              "its data in \"payload\" as an object; check the sender");
  }
  return Envelope{action.get<std::string>(), payload};
}

absl::StatusOr<v1::Application> ParseHireApplication(const json& payload) {
  if (!payload.is_object()) {
    return absl::InvalidArgumentError(
        "payload is not an object: a hire_candidate webhook carries {\"application\": {...}}");
  }
  const json& application = Member(payload, "application");
  if (!application.is_object()) {
    return absl::InvalidArgumentError(
        "payload.application is missing or not an object: a hire must carry the application; "
        "check that the webhook's event is \"Candidate has been hired\"");
  }
  const json& candidate = Member(application, "candidate");
  if (!candidate.is_object()) {
    return absl::InvalidArgumentError(
        "payload.application.candidate is missing: a hire must carry the candidate; check that "
        "the webhook's event is \"Candidate has been hired\"");
  }
  v1::Application out;
  out.set_id(Id(application, "id"));
  out.set_url(String(application, "url"));
  *out.mutable_candidate() = ParseCandidate(candidate);
  const json& jobs = Member(application, "jobs");
  if (jobs.is_array()) {
    for (const json& job : jobs) {
      if (job.is_object()) *out.add_jobs() = ParseJob(job);
    }
  } else if (const json& job = Member(application, "job"); job.is_object()) {
    // `job` is deprecated in favour of `jobs`; read it only when `jobs` is absent.
    *out.add_jobs() = ParseJob(job);
  }
  const json& offer = Member(application, "offer");
  if (offer.is_object()) *out.mutable_offer() = ParseOffer(offer);
  return out;
}

}  // namespace hiresync::greenhouse
