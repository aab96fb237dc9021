#include "services/writer/writer.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/crypto.h"
#include "common/failpoint/failpoint.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/writer/writer_metrics.h"

namespace hiresync::writer {
namespace {

using hiresync::v1::NewHire;
using hiresync::v1::Problem;
using hiresync::v1::WriteRequest;
using hiresync::v1::WriteResponse;

constexpr int64_t kCredentialsRetrySeconds = 300;

WriteResponse Rejected(std::string reason) {
  WriteResponse response;
  response.set_outcome(WriteResponse::REJECTED);
  response.set_reason(std::move(reason));
  return response;
}

WriteResponse RetryLater(std::string reason, int64_t retry_after_seconds) {
  WriteResponse response;
  response.set_outcome(WriteResponse::RETRY_LATER);
  response.set_reason(std::move(reason));
  response.set_retry_after_seconds(retry_after_seconds);
  return response;
}

// What a failed GoCo call means for the hire. `doing` says what was being done, e.g.
// "creating the employee".
WriteResponse FromGoCoFailure(const absl::Status& status, const std::string& doing) {
  std::optional<GoCoError> error = GoCoError::Of(status);
  if (!error) {
    return Rejected(absl::StrCat("The writer could not use GoCo while ", doing, ": ",
                                 std::string(status.message())));
  }
  int http = error->http_status;
  if (http == 401 || http == 403) {
    WriteResponse response =
        RetryLater(absl::StrCat("GoCo refused the API key (", http,
                                "): the admin must update the connection's GoCo API key; the "
                                "hire is kept and will sync once it works"),
                   kCredentialsRetrySeconds);
    response.set_credentials_rejected(true);
    return response;
  }
  if (http == 429) {
    // The caller decides whether to retry, so the reason does not promise it.
    return RetryLater(absl::StrCat("GoCo is rate limiting hiresync (429) while ", doing,
                                   error->retry_after_seconds > 0
                                       ? absl::StrCat("; it asked to wait ",
                                                      error->retry_after_seconds, " s")
                                       : ""),
                      error->retry_after_seconds);
  }
  if (http == 0 || http >= 500) {
    return RetryLater(
        absl::StrCat("GoCo is unavailable (",
                     http == 0 ? std::string("no answer") : absl::StrCat(http), ") while ", doing,
                     ": ", error->message),
        error->retry_after_seconds);
  }
  std::string reason = absl::StrCat("GoCo refused ", doing, " (", http, "): ", error->message);
  WriteResponse response = Rejected("");
  if (!error->fields.empty()) {
    std::string fields;
    for (const GoCoError::Field& field : error->fields) {
      absl::StrAppend(&fields, fields.empty() ? "" : "; ", field.field, ": ", field.message);
      Problem* problem = response.add_problems();
      problem->set_severity(Problem::ERROR);
      problem->set_code("goco_validation_failed");
      problem->set_field(field.field);
      problem->set_message(field.message);
    }
    absl::StrAppend(&reason, " [", fields, "]");
  }
  absl::StrAppend(&reason, ". Fix the data in Greenhouse and re-send the hire.");
  response.set_reason(reason);
  return response;
}

std::string ContentTypeFor(const std::string& filename) {
  std::string lower = absl::AsciiStrToLower(filename);
  static const std::pair<const char*, const char*> kTypes[] = {
      {".pdf", "application/pdf"},
      {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {".doc", "application/msword"},
      {".txt", "text/plain"},
      {".rtf", "application/rtf"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
  };
  for (const auto& [suffix, type] : kTypes) {
    if (absl::EndsWith(lower, suffix)) return type;
  }
  return "application/octet-stream";
}

const std::string& HireValue(const NewHire& hire, CatalogKind kind) {
  switch (kind) {
    case CatalogKind::kDepartment:
      return hire.department();
    case CatalogKind::kLocation:
      return hire.location();
    case CatalogKind::kJobTitle:
      return hire.job_title();
    case CatalogKind::kEmploymentType:
      return hire.employment_type();
  }
  return hire.department();
}

std::string* DraftId(EmployeeDraft& draft, CatalogKind kind) {
  switch (kind) {
    case CatalogKind::kDepartment:
      return &draft.department_id;
    case CatalogKind::kLocation:
      return &draft.location_id;
    case CatalogKind::kJobTitle:
      return &draft.job_title_id;
    case CatalogKind::kEmploymentType:
      return &draft.employment_type_id;
  }
  return &draft.department_id;
}

const std::string& EmployeeId(const Employee& employee, CatalogKind kind) {
  switch (kind) {
    case CatalogKind::kDepartment:
      return employee.department_id;
    case CatalogKind::kLocation:
      return employee.location_id;
    case CatalogKind::kJobTitle:
      return employee.job_title_id;
    case CatalogKind::kEmploymentType:
      return employee.employment_type_id;
  }
  return employee.department_id;
}

// The warnings of an earlier create found in GoCo: the values it went without.
void AddWarningsFromEmployee(const NewHire& hire, const Employee& employee,
                             WriteResponse& response) {
  for (CatalogKind kind : kAllCatalogKinds) {
    if (!HireValue(hire, kind).empty() && EmployeeId(employee, kind).empty()) {
      *response.add_problems() = MissingInGoCo(kind, HireValue(hire, kind));
    }
  }
}

std::string OutcomeName(WriteResponse::Outcome outcome) {
  return absl::AsciiStrToLower(WriteResponse::Outcome_Name(outcome));
}

}  // namespace

GoCoFactory RealGoCoFactory(std::shared_ptr<time::Clock> clock, GoCoClientOptions options) {
  return [clock, options](
             const config::Connection& connection) -> absl::StatusOr<std::unique_ptr<GoCoApi>> {
    auto client = GoCoClient::Create(connection.proto.goco().base_url(), connection.goco_api_key,
                                     clock, options);
    if (!client.ok()) return client.status();
    return std::unique_ptr<GoCoApi>(std::move(*client));
  };
}

std::string IdempotencyKey(const std::string& connection_id, int64_t application_id) {
  return absl::StrCat("hiresync-", connection_id, "-app-", application_id);
}

Writer::Writer(config::ConnectionsFn connections, Ledger* ledger, AttachmentSource* attachments,
               GoCoFactory goco_factory)
    : connections_(std::move(connections)),
      ledger_(ledger),
      attachments_(attachments),
      goco_factory_(std::move(goco_factory)) {}

absl::StatusOr<std::shared_ptr<Writer::Company>> Writer::CompanyFor(
    const config::Connection& connection) {
  std::lock_guard lock(mutex_);
  auto it = companies_.find(connection.id());
  if (it != companies_.end() && it->second->base_url == connection.proto.goco().base_url() &&
      it->second->api_key == connection.goco_api_key) {
    return it->second;
  }
  auto goco = goco_factory_(connection);
  if (!goco.ok()) return goco.status();
  auto company = std::make_shared<Company>();
  company->base_url = connection.proto.goco().base_url();
  company->api_key = connection.goco_api_key;
  company->goco = std::move(*goco);
  company->catalog = std::make_unique<Catalog>(company->goco.get());
  companies_[connection.id()] = company;
  return company;
}

absl::StatusOr<WriteResponse> Writer::Write(const WriteRequest& request) {
  const NewHire& hire = request.new_hire();
  std::shared_ptr<const config::Connections> connections = connections_();
  const config::Connection* connection = connections->Find(hire.connection_id());
  absl::StatusOr<WriteResponse> response;
  if (connection == nullptr || connection->disabled()) {
    response = Rejected(absl::StrCat(
        "connection \"", hire.connection_id(),
        connection == nullptr ? "\" is not configured in the writer"
                              : "\" is disabled in the writer's configuration",
        "; add or enable it in the connections file and restart the writer, then re-send the "
        "hire"));
  } else if (hire.first_name().empty() || hire.last_name().empty() || hire.application_id() <= 0 ||
             hire.candidate_id() <= 0) {
    response = Rejected(
        "the hire lacks a first name, last name, candidate id or application id; fix the "
        "candidate in Greenhouse and re-send the hire");
  } else {
    auto company = CompanyFor(*connection);
    if (!company.ok()) {
      response =
          Rejected(absl::StrCat("the GoCo settings of connection \"", connection->id(),
                                "\" cannot be used: ", std::string(company.status().message())));
    } else {
      response = WriteWith(*connection, **company, request);
    }
  }
  // A configured id, never a caller's arbitrary string, as a label value.
  const std::string metric_connection = connection != nullptr ? connection->id() : "unknown";
  if (response.ok()) {
    WriterMetrics::Get().CountOutcome(metric_connection, OutcomeName(response->outcome()));
    std::vector<std::string> codes;
    for (const Problem& problem : response->problems()) codes.push_back(problem.code());
    log::Info("write", {{"connection_id", hire.connection_id()},
                        {"application_id", hire.application_id()},
                        {"outcome", OutcomeName(response->outcome())},
                        {"employee_id", response->employee_id()},
                        {"resumed", response->resumed()},
                        {"documents_uploaded", response->documents_uploaded()},
                        {"problem_codes", codes},
                        {"reason", response->reason()}});
  } else {
    WriterMetrics::Get().CountOutcome(metric_connection, "error");
    log::Error("write failed", {{"connection_id", hire.connection_id()},
                                {"application_id", hire.application_id()},
                                {"error", std::string(response.status().message())}});
  }
  return response;
}

const Employee* Writer::OwnCreate(const std::vector<Employee>& matches, int64_t candidate_id) {
  std::string candidate = absl::StrCat(candidate_id);
  for (const Employee& employee : matches) {
    if (employee.greenhouse_candidate_id == candidate) return &employee;
  }
  return nullptr;
}

absl::StatusOr<WriteResponse> Writer::WriteWith(const config::Connection& connection,
                                                Company& company, const WriteRequest& request) {
  const NewHire& hire = request.new_hire();
  const std::string& connection_id = connection.id();
  const int64_t application_id = hire.application_id();
  WriteResponse response;
  std::string employee_id;

  auto recorded = ledger_->FindEmployee(connection_id, application_id);
  if (!recorded.ok()) return recorded.status();
  if (recorded->has_value()) {
    employee_id = (*recorded)->employee_id;
    response.set_resumed(true);
    WriteResponse stored;
    if (stored.ParseFromString((*recorded)->problems)) {
      *response.mutable_problems() = stored.problems();
    }
  }

  if (employee_id.empty()) {
    EmployeeQuery query{hire.first_name(), hire.last_name(), std::nullopt};
    if (config::EffectiveMapping(connection.proto.mapping()).duplicate_rule() ==
            hiresync::v1::MappingOptions::FIRST_LAST_NAME_AND_EMAIL &&
        !hire.personal_email().empty()) {
      query.personal_email = hire.personal_email();
    }
    auto find_own = [&](const std::vector<Employee>& matches) -> absl::Status {
      const Employee* own = OwnCreate(matches, hire.candidate_id());
      if (own == nullptr) return absl::OkStatus();
      employee_id = own->id;
      response.set_resumed(true);
      AddWarningsFromEmployee(hire, *own, response);
      return ledger_->RecordEmployee(connection_id, application_id,
                                     {employee_id, response.SerializeAsString()});
    };

    auto matches = company.goco->FindEmployees(query);
    if (!matches.ok()) {
      return FromGoCoFailure(matches.status(), "looking for an existing employee");
    }
    if (absl::Status status = find_own(*matches); !status.ok()) return status;
    if (employee_id.empty() && !matches->empty() && !request.allow_duplicate_name()) {
      const Employee& existing = matches->front();
      response.set_outcome(WriteResponse::DUPLICATE);
      response.set_employee_id(existing.id);
      response.set_reason(absl::StrCat(
          "GoCo already has an employee with this ",
          query.personal_email ? "first name, last name and personal email" : "first and last name",
          " (employee ", existing.id, existing.status.empty() ? "" : ", status ", existing.status,
          "), so no new employee was created. If it is the same person, nothing needs doing; if "
          "it is a different person, re-send the hire with the duplicate check overridden."));
      return response;
    }

    if (employee_id.empty()) {
      EmployeeDraft draft;
      draft.first_name = hire.first_name();
      draft.last_name = hire.last_name();
      draft.personal_email = hire.personal_email();
      draft.personal_phone = hire.personal_phone();
      draft.start_date = hire.start_date();
      draft.greenhouse_candidate_id = absl::StrCat(hire.candidate_id());
      draft.greenhouse_application_id = absl::StrCat(application_id);
      for (CatalogKind kind : kAllCatalogKinds) {
        const std::string& value = HireValue(hire, kind);
        if (value.empty()) continue;
        auto id = company.catalog->Resolve(kind, value);
        if (!id.ok()) {
          return FromGoCoFailure(id.status(),
                                 absl::StrCat("reading GoCo's ", FieldName(kind), " list"));
        }
        if (id->has_value()) {
          *DraftId(draft, kind) = **id;
        } else {
          *response.add_problems() = MissingInGoCo(kind, value);
        }
      }

      auto created =
          company.goco->CreateEmployee(draft, IdempotencyKey(connection_id, application_id));
      if (created.ok()) {
        failpoint::Hit("writer.after_create");
        employee_id = created->id;
        if (absl::Status status = ledger_->RecordEmployee(
                connection_id, application_id, {employee_id, response.SerializeAsString()});
            !status.ok()) {
          return status;
        }
        failpoint::Hit("writer.after_ledger_write");
      } else {
        std::optional<GoCoError> error = GoCoError::Of(created.status());
        if (!error || error->http_status != 409) {
          WriteResponse failed = FromGoCoFailure(created.status(), "creating the employee");
          if (failed.outcome() == WriteResponse::REJECTED) {
            for (const Problem& problem : response.problems()) *failed.add_problems() = problem;
          }
          return failed;
        }
        // 409: the key was used with another body (e.g. the catalog changed between tries).
        auto again = company.goco->FindEmployees(query);
        if (!again.ok()) return FromGoCoFailure(again.status(), "looking for the employee");
        response.clear_problems();
        if (absl::Status status = find_own(*again); !status.ok()) return status;
        if (employee_id.empty()) {
          return Rejected(absl::StrCat(
              "GoCo refused the create (409: ", error->message,
              "): an earlier attempt of this hire used the same idempotency key with different "
              "data, and no employee from it was found. Check GoCo for the employee; if it is "
              "not there, re-send the hire after 24 hours or create it in GoCo by hand."));
        }
      }
    }
  }

  response.set_employee_id(employee_id);
  response.set_outcome(WriteResponse::CREATED);
  if (hire.documents_size() > 0) {
    if (absl::Status status = UploadDocuments(company, hire, employee_id, response); !status.ok()) {
      return status;
    }
  }
  return response;
}

absl::Status Writer::UploadDocuments(Company& company, const NewHire& hire,
                                     const std::string& employee_id, WriteResponse& response) {
  const std::string& connection_id = hire.connection_id();
  auto fail = [&](const absl::Status& status, const std::string& doing) {
    WriteResponse failed = FromGoCoFailure(status, doing);
    if (failed.outcome() == WriteResponse::REJECTED) {
      // The employee exists: a refused document list is not a reason to give the hire up.
      failed.set_outcome(WriteResponse::RETRY_LATER);
    }
    failed.set_employee_id(employee_id);
    failed.set_resumed(response.resumed());
    failed.set_documents_uploaded(response.documents_uploaded());
    response = std::move(failed);
  };

  auto existing = company.goco->ListDocuments(employee_id);
  if (!existing.ok()) {
    fail(existing.status(), "listing the employee's documents");
    return absl::OkStatus();
  }
  std::set<std::string> have;
  for (const Document& document : *existing) have.insert(document.sha256);

  for (const hiresync::v1::Document& document : hire.documents()) {
    auto bytes = attachments_->Fetch(document.url());
    if (!bytes.ok()) {
      if (status::IsTransient(bytes.status())) {
        response =
            RetryLater(absl::StrCat("an attachment could not be downloaded from Greenhouse (",
                                    std::string(bytes.status().message()), ")"),
                       0);
        response.set_employee_id(employee_id);
        return absl::OkStatus();
      }
      Problem* problem = response.add_problems();
      problem->set_severity(Problem::WARNING);
      problem->set_code("document_not_downloaded");
      problem->set_field("documents");
      problem->set_value(document.filename());
      problem->set_message(absl::StrCat(
          "The document '", document.filename(),
          "' was not added to the GoCo employee: ", std::string(bytes.status().message()), "."));
      continue;
    }
    std::string sha = crypto::Sha256Hex(*bytes);
    auto in_ledger = ledger_->HasDocument(connection_id, hire.application_id(), sha);
    if (!in_ledger.ok()) return in_ledger.status();
    if (have.count(sha) > 0 || *in_ledger) {
      if (!*in_ledger) {
        RETURN_IF_ERROR(ledger_->RecordDocument(connection_id, hire.application_id(), sha));
      }
      continue;
    }
    Upload upload{.filename = document.filename(),
                  .content_type = ContentTypeFor(document.filename()),
                  .category = document.category().empty() ? "other" : document.category(),
                  .bytes = *std::move(bytes)};
    auto uploaded = company.goco->UploadDocument(employee_id, upload);
    if (!uploaded.ok()) {
      std::optional<GoCoError> error = GoCoError::Of(uploaded.status());
      int http = error ? error->http_status : 0;
      if (http == 400 || http == 413 || http == 422) {
        Problem* problem = response.add_problems();
        problem->set_severity(Problem::WARNING);
        problem->set_code("document_not_uploaded");
        problem->set_field("documents");
        problem->set_value(document.filename());
        problem->set_message(absl::StrCat(
            "GoCo refused the document '", document.filename(), "' (", http, ": ", error->message,
            "); the employee was created without it. Upload it in GoCo by hand",
            http == 413 ? " as a smaller file (GoCo takes at most 25 MiB a file)." : "."));
        continue;
      }
      fail(uploaded.status(), absl::StrCat("uploading a document"));
      return absl::OkStatus();
    }
    failpoint::Hit("writer.after_upload");
    RETURN_IF_ERROR(ledger_->RecordDocument(connection_id, hire.application_id(), sha));
    have.insert(sha);
    response.set_documents_uploaded(response.documents_uploaded() + 1);
  }
  return absl::OkStatus();
}

}  // namespace hiresync::writer
