// The GoCo REST client: every GoCo path and field name lives in goco_client.cc and
// nowhere else, so mapping hiresync to GoCo's published API is a change to that file.
// httplib stays out of this header.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/time/clock.h"

namespace hiresync::writer {

enum class CatalogKind { kDepartment, kLocation, kJobTitle, kEmploymentType };
inline constexpr CatalogKind kAllCatalogKinds[] = {CatalogKind::kDepartment, CatalogKind::kLocation,
                                                   CatalogKind::kJobTitle,
                                                   CatalogKind::kEmploymentType};

struct CatalogEntry {
  std::string id;
  std::string name;
};

// What hiresync sends to create an employee; empty strings are left out of the request.
struct EmployeeDraft {
  std::string first_name;
  std::string last_name;
  std::string personal_email;
  std::string personal_phone;
  std::string start_date;  // YYYY-MM-DD
  std::string employment_type_id;
  std::string job_title_id;
  std::string department_id;
  std::string location_id;
  std::string greenhouse_candidate_id;
  std::string greenhouse_application_id;
};

struct Employee {
  std::string id;
  std::string status;
  std::string greenhouse_candidate_id;  // empty when GoCo has none
  std::string employment_type_id;
  std::string job_title_id;
  std::string department_id;
  std::string location_id;
};

struct EmployeeQuery {
  std::string first_name;
  std::string last_name;
  std::optional<std::string> personal_email;
};

struct Document {
  std::string id;
  std::string filename;
  int64_t size_bytes = 0;
  std::string sha256;
};

struct Upload {
  std::string filename;
  std::string content_type;
  std::string category;  // resume|cover_letter|offer_letter|signed_offer_letter|other
  std::string bytes;
};

// A failed GoCo call, carried inside an absl::Status as a payload (see GoCoError::Of).
struct GoCoError {
  struct Field {
    std::string field;
    std::string message;
  };
  int http_status = 0;  // 0: no HTTP answer (connection refused, timeout, ...)
  std::string code;     // GoCo's error.code
  std::string message;  // GoCo's error.message, or what went wrong on the network
  std::vector<Field> fields;
  int64_t retry_after_seconds = 0;

  absl::Status ToStatus() const;
  // The GoCoError inside `status`, when it came from the client.
  static std::optional<GoCoError> Of(const absl::Status& status);
};

// The calls hiresync makes to one GoCo company; an interface so the logic can be tested.
class GoCoApi {
 public:
  virtual ~GoCoApi() = default;
  virtual absl::StatusOr<std::vector<CatalogEntry>> ListCatalog(CatalogKind kind) = 0;
  // Every employee (any status) matching the query, across all pages.
  virtual absl::StatusOr<std::vector<Employee>> FindEmployees(const EmployeeQuery& query) = 0;
  virtual absl::StatusOr<Employee> CreateEmployee(const EmployeeDraft& draft,
                                                  const std::string& idempotency_key) = 0;
  virtual absl::StatusOr<std::vector<Document>> ListDocuments(const std::string& employee_id) = 0;
  virtual absl::StatusOr<Document> UploadDocument(const std::string& employee_id,
                                                  const Upload& upload) = 0;
};

struct GoCoClientOptions {
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration read_timeout = absl::Seconds(60);
  absl::Duration write_timeout = absl::Seconds(60);
  // The longest the client waits for a rate-limit window or a Retry-After before a call.
  absl::Duration max_rate_limit_wait = absl::Seconds(60);
  // The client slows down (waits for the window to reset) at or below this many calls left.
  int64_t slow_down_at_remaining = 1;
  // PEM file of the CAs that may sign GoCo's certificate; empty: the system's trust store.
  std::string ca_bundle;
};

// One GoCo company. Thread-safe: calls are serialized on one reused HTTP client.
class GoCoClient : public GoCoApi {
 public:
  // `base_url`: e.g. http://127.0.0.1:8090/v1/companies/demo (http or https).
  static absl::StatusOr<std::unique_ptr<GoCoClient>> Create(const std::string& base_url,
                                                            const std::string& api_key,
                                                            std::shared_ptr<time::Clock> clock,
                                                            GoCoClientOptions options = {});
  ~GoCoClient() override;

  absl::StatusOr<std::vector<CatalogEntry>> ListCatalog(CatalogKind kind) override;
  absl::StatusOr<std::vector<Employee>> FindEmployees(const EmployeeQuery& query) override;
  absl::StatusOr<Employee> CreateEmployee(const EmployeeDraft& draft,
                                          const std::string& idempotency_key) override;
  absl::StatusOr<std::vector<Document>> ListDocuments(const std::string& employee_id) override;
  absl::StatusOr<Document> UploadDocument(const std::string& employee_id,
                                          const Upload& upload) override;

 private:
  struct Impl;
  struct Call;
  struct Answer;
  explicit GoCoClient(std::unique_ptr<Impl> impl);
  absl::StatusOr<Answer> Send(const Call& call);

  std::unique_ptr<Impl> impl_;
};

}  // namespace hiresync::writer
