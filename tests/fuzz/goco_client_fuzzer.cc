// GoCo's answers, as the writer's GoCo client reads them: the fuzz input is a script
// (see scripted_http_server.h) whose first line names the call and whose answers a local
// server plays back. Finds crashes, undefined behaviour, uncaught exceptions and hangs
// in the client's reading of status codes, rate-limit headers and JSON bodies; checks
// that every failure carries the GoCoError the writer decides retries with.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "scripted_http_server.h"
#include "services/writer/goco_client.h"

namespace {

using hiresync::fuzz::FakeClock;
using hiresync::fuzz::ScriptedHttpServer;
using hiresync::writer::CatalogKind;
using hiresync::writer::GoCoClient;
using hiresync::writer::GoCoError;

constexpr std::string_view kOperations[] = {
    "list_departments", "list_locations", "list_job_titles", "list_employment_types",
    "find_employees",   "create_employee", "list_documents", "upload_document"};

size_t OperationIndex(const std::string& name) {
  constexpr size_t kCount = sizeof(kOperations) / sizeof(kOperations[0]);
  for (size_t i = 0; i < kCount; ++i) {
    if (kOperations[i] == name) return i;
  }
  size_t sum = 0;
  for (unsigned char c : name) sum += c;
  return sum % kCount;
}

void RequireGoCoError(const absl::Status& status) {
  if (status.ok() || GoCoError::Of(status).has_value()) return;
  std::fprintf(stderr, "GoCo client failed without a GoCoError payload: %s\n",
               status.ToString().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ScriptedHttpServer* server = new ScriptedHttpServer();
  auto script = hiresync::fuzz::ParseScript(
      std::string_view(reinterpret_cast<const char*>(data), size), server->origin());
  server->Play(std::move(script.answers));

  hiresync::writer::GoCoClientOptions options;
  options.connect_timeout = absl::Seconds(2);
  options.read_timeout = absl::Seconds(5);
  options.write_timeout = absl::Seconds(5);
  auto client = GoCoClient::Create(server->origin() + "/v1/companies/fuzz", "fuzz-api-key",
                                   std::make_shared<FakeClock>(), options);
  if (!client.ok()) {
    std::fprintf(stderr, "GoCoClient::Create: %s\n", client.status().ToString().c_str());
    std::abort();
  }
  switch (OperationIndex(script.operation)) {
    case 0:
      RequireGoCoError((*client)->ListCatalog(CatalogKind::kDepartment).status());
      break;
    case 1:
      RequireGoCoError((*client)->ListCatalog(CatalogKind::kLocation).status());
      break;
    case 2:
      RequireGoCoError((*client)->ListCatalog(CatalogKind::kJobTitle).status());
      break;
    case 3:
      RequireGoCoError((*client)->ListCatalog(CatalogKind::kEmploymentType).status());
      break;
    case 4:
      RequireGoCoError(
          (*client)->FindEmployees({"Johnny", "Smith", std::string("johnny@example.com")}).status());
      break;
    case 5: {
      hiresync::writer::EmployeeDraft draft;
      draft.first_name = "Johnny";
      draft.last_name = "Smith";
      draft.start_date = "2024-01-15";
      draft.greenhouse_candidate_id = "35897443";
      RequireGoCoError((*client)->CreateEmployee(draft, "fuzz-idempotency-key").status());
      break;
    }
    case 6:
      RequireGoCoError((*client)->ListDocuments("emp_1").status());
      break;
    default: {
      hiresync::writer::Upload upload{"resume.pdf", "application/pdf", "resume", "%PDF-1.4"};
      RequireGoCoError((*client)->UploadDocument("emp_1", upload).status());
      break;
    }
  }
  return 0;
}
