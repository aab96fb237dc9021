#include "tests/sandboxes/goco/contract_api.h"

#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace hiresync::goco_sandbox {
namespace {

// One contract call, with the lock held by the caller.
class ContractCall {
 public:
  ContractCall(SandboxState& state, Company& company, const HttpRequest& request, std::string path,
               absl::Time now)
      : state_(state), company_(company), request_(request), path_(std::move(path)), now_(now) {}

  HttpResponse Route() {
    const std::string& method = request_.method;
    for (const CatalogKind& kind : kCatalogKinds) {
      if (path_ == kind.path) return method == "GET" ? ListCatalog(kind) : NotAllowed("GET");
    }
    std::vector<std::string> segments = Segments(path_);  // "", "employees", ...
    if (segments.size() < 2 || segments[1] != "employees") {
      return Error(404, absl::StrCat("no such path \"", path_,
                                     "\" in the GoCo API; see goco-api.md for the paths"));
    }
    if (segments.size() == 2) {
      if (method == "GET") return ListEmployees();
      if (method == "POST") return CreateEmployee();
      return NotAllowed("GET, POST");
    }
    Employee* employee = nullptr;
    for (Employee& candidate : company_.employees) {
      if (candidate.id == segments[2]) employee = &candidate;
    }
    if (segments.size() == 3) {
      if (method != "GET") return NotAllowed("GET");
      if (employee == nullptr) return UnknownEmployee(segments[2]);
      return JsonResponse(200, EmployeeJson(*employee));
    }
    if (segments.size() == 4 && segments[3] == "documents") {
      if (method != "GET" && method != "POST") return NotAllowed("GET, POST");
      if (employee == nullptr) return UnknownEmployee(segments[2]);
      return method == "GET" ? ListDocuments(*employee) : UploadDocument(*employee);
    }
    return Error(404, absl::StrCat("no such path \"", path_,
                                   "\" in the GoCo API; see goco-api.md for the paths"));
  }

 private:
  static HttpResponse NotAllowed(const std::string& allowed) {
    HttpResponse response =
        Error(405, absl::StrCat("this path answers only ", allowed, "; change the method"));
    response.headers.emplace_back("Allow", allowed);
    return response;
  }

  static HttpResponse UnknownEmployee(const std::string& id) {
    return Error(404, absl::StrCat("employee \"", id,
                                   "\" not found in this company; check the id or list "
                                   "employees with GET /employees"));
  }

  HttpResponse ListCatalog(const CatalogKind& kind) {
    Json data = Json::array();
    auto it = company_.catalog.find(kind.key);
    if (it != company_.catalog.end()) {
      for (const CatalogEntry& entry : it->second) {
        data.push_back({{"id", entry.id}, {"name", entry.name}});
      }
    }
    return JsonResponse(200, Json{{"data", data}});
  }

  HttpResponse ListEmployees() {
    static const std::set<std::string> kKnown = {"first_name", "last_name", "personal_email",
                                                 "status",     "limit",     "offset"};
    std::vector<FieldError> errors;
    for (const auto& [name, value] : request_.query) {
      if (kKnown.count(name) == 0) {
        errors.push_back({name,
                          "unknown query parameter; filters are first_name, last_name, "
                          "personal_email, status, limit, offset"});
      } else if (request_.query.count(name) > 1) {
        errors.push_back({name, "given more than once; give it once"});
      } else if (value.empty()) {
        errors.push_back({name, "is empty; leave the parameter out to not filter on it"});
      }
    }
    std::string status = Query(request_, "status").value_or("any");
    if (status != "any" && EmployeeStatuses().count(status) == 0) {
      errors.push_back({"status", "must be one of incomplete, active, terminated, any"});
    }
    int limit = kMaxPageSize;
    if (auto text = Query(request_, "limit"); text && !text->empty()) {
      if (!absl::SimpleAtoi(*text, &limit) || limit < 1 || limit > kMaxPageSize) {
        errors.push_back({"limit", "must be an integer from 1 to 100"});
      }
    }
    int64_t offset = 0;
    if (auto text = Query(request_, "offset"); text && !text->empty()) {
      if (!absl::SimpleAtoi(*text, &offset) || offset < 0) {
        errors.push_back({"offset", "must be an integer of 0 or more"});
      }
    }
    if (!errors.empty()) return ValidationError(errors);

    Json data = Json::array();
    int64_t total = 0;
    for (const Employee& employee : company_.employees) {
      bool match = status == "any" || employee.status == status;
      for (const char* field : {"first_name", "last_name", "personal_email"}) {
        std::optional<std::string> want = Query(request_, field);
        if (!want) continue;
        auto it = employee.fields.find(field);
        match = match && it != employee.fields.end() && it->is_string() &&
                it->get<std::string>() == *want;
      }
      if (!match) continue;
      if (total >= offset && static_cast<int64_t>(data.size()) < limit) {
        data.push_back(EmployeeJson(employee));
      }
      ++total;
    }
    return JsonResponse(200, Json{{"data", data}, {"total", total}});
  }

  HttpResponse CreateEmployee() {
    std::optional<std::string> key = Header(request_, "idempotency-key");
    std::string fingerprint = Fingerprint(request_.body);
    if (key) {
      if (key->empty() || key->size() > kMaxIdempotencyKeyChars) {
        return ValidationError({{"Idempotency-Key", "must be 1 to 255 characters"}});
      }
      auto it = company_.idempotency.find(*key);
      if (it != company_.idempotency.end() && now_ - it->second.at < kIdempotencyTtl) {
        if (it->second.fingerprint != fingerprint) {
          return Error(409, "idempotency_key_reused",
                       "this Idempotency-Key was already used with a different body within "
                       "24 h; send the same body to get the first answer again, or use a new "
                       "key for a different employee");
        }
        HttpResponse replay;
        replay.status = it->second.status;
        replay.body = it->second.body;
        replay.headers.emplace_back("Idempotent-Replayed", "true");
        return replay;
      }
    }
    Json body = Json::parse(request_.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return Error(400,
                   "the body must be a JSON object with the employee's fields, sent as "
                   "application/json");
    }
    std::vector<FieldError> errors = ValidateEmployee(company_, body, false);
    if (!errors.empty()) return ValidationError(errors);
    Employee& employee = state_.AddEmployee(company_, body, now_);
    HttpResponse response = JsonResponse(201, EmployeeJson(employee));
    if (key) company_.idempotency[*key] = {fingerprint, response.status, response.body, now_};
    return response;
  }

  HttpResponse ListDocuments(const Employee& employee) {
    Json data = Json::array();
    for (const Document& document : employee.documents) data.push_back(DocumentJson(document));
    return JsonResponse(200, Json{{"data", data}});
  }

  HttpResponse UploadDocument(Employee& employee) {
    if (!request_.multipart) {
      return ValidationError({{"file", "missing; send multipart/form-data with a file part"},
                              {"category", "missing; send a category part"}});
    }
    std::vector<FieldError> errors;
    const FormPart* file = nullptr;
    const FormPart* category = nullptr;
    for (const FormPart& part : request_.parts) {
      const FormPart** slot = part.name == "file"       ? &file
                              : part.name == "category" ? &category
                                                        : nullptr;
      if (slot == nullptr) {
        errors.push_back({part.name, "unknown part; send only file and category"});
      } else if (*slot != nullptr) {
        errors.push_back({part.name, "sent more than once; send one"});
      } else {
        *slot = &part;
      }
    }
    if (file != nullptr && static_cast<int64_t>(file->content.size()) > kMaxDocumentBytes) {
      return Error(413, absl::StrCat("the file is ", file->content.size(),
                                     " bytes; GoCo accepts at most 25 MiB (", kMaxDocumentBytes,
                                     " bytes) a file: upload a smaller file"));
    }
    if (file == nullptr) {
      errors.push_back({"file", "missing; send the document as a part named file"});
    } else {
      if (file->filename.empty()) errors.push_back({"file", "the file part needs a filename"});
      if (file->content_type.empty()) {
        errors.push_back({"file", "the file part needs a Content-Type"});
      }
      if (file->content.empty()) errors.push_back({"file", "is empty; send the file's bytes"});
    }
    if (category == nullptr) {
      errors.push_back({"category", "missing; send a part named category"});
    } else if (DocumentCategories().count(category->content) == 0) {
      errors.push_back(
          {"category",
           "must be one of resume, cover_letter, offer_letter, signed_offer_letter, other"});
    }
    if (!errors.empty()) return ValidationError(errors);

    Document document;
    document.id = absl::StrCat("doc_", state_.next_document++);
    document.employee_id = employee.id;
    document.filename = file->filename;
    document.content_type = file->content_type;
    document.category = category->content;
    document.size_bytes = static_cast<int64_t>(file->content.size());
    document.sha256 = Sha256Hex(file->content);
    document.created_at = Rfc3339(now_);
    employee.documents.push_back(document);
    return JsonResponse(201, DocumentJson(document));
  }

  SandboxState& state_;
  Company& company_;
  const HttpRequest& request_;
  std::string path_;
  absl::Time now_;
};

}  // namespace

HttpResponse RouteContractCall(SandboxState& state, Company& company, const HttpRequest& request,
                               const std::string& path, absl::Time now) {
  return ContractCall(state, company, request, path, now).Route();
}

}  // namespace hiresync::goco_sandbox
