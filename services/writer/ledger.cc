#include "services/writer/ledger.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/store/sqlite_db.h"

namespace hiresync::writer {
namespace {

constexpr char kSchema[] =
    "CREATE TABLE IF NOT EXISTS employees ("
    "  connection_id TEXT NOT NULL, application_id INTEGER NOT NULL,"
    "  employee_id TEXT NOT NULL, problems BLOB NOT NULL DEFAULT '',"
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
    "  PRIMARY KEY (connection_id, application_id));"
    "CREATE TABLE IF NOT EXISTS documents ("
    "  connection_id TEXT NOT NULL, application_id INTEGER NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  uploaded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
    "  PRIMARY KEY (connection_id, application_id, sha256));";

}  // namespace

Ledger::Ledger(std::unique_ptr<store::SqliteDb> db, std::string path)
    : db_(std::move(db)), path_(std::move(path)) {}

absl::StatusOr<std::unique_ptr<Ledger>> Ledger::Open(const std::string& path) {
  absl::StatusOr<std::unique_ptr<store::SqliteDb>> db = store::SqliteDb::Open(path);
  if (!db.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open the writer ledger (--ledger): ", db.status().message()));
  }
  if (absl::Status status = (*db)->Exec(kSchema); !status.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot prepare the writer ledger \"", path,
                                                      "\": ", sqlite3_errmsg((*db)->raw()),
                                                      "; check the file is a hiresync ledger"));
  }
  return std::unique_ptr<Ledger>(new Ledger(*std::move(db), path));
}

Ledger::~Ledger() { Close(); }

void Ledger::Close() {
  std::lock_guard lock(mutex_);
  db_.reset();
}

absl::Status Ledger::Error(const char* what) {
  if (db_ == nullptr) {
    return absl::FailedPreconditionError("the writer ledger is closed (the writer is stopping)");
  }
  return absl::UnavailableError(absl::StrCat("writer ledger \"", path_, "\": ", what,
                                             " failed: ", sqlite3_errmsg(db_->raw()),
                                             "; check the disk and the file's permissions"));
}

absl::StatusOr<std::optional<LedgerEmployee>> Ledger::FindEmployee(const std::string& connection_id,
                                                                   int64_t application_id) {
  std::lock_guard lock(mutex_);
  if (db_ == nullptr) return Error("reading");
  absl::StatusOr<store::Statement> stmt = db_->Prepare(
      "SELECT employee_id, problems FROM employees WHERE connection_id = ? AND "
      "application_id = ?");
  if (!stmt.ok()) return Error("reading an employee");
  stmt->Bind(1, connection_id).Bind(2, application_id);
  absl::StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return Error("reading an employee");
  if (!*row) return std::optional<LedgerEmployee>();
  return std::optional<LedgerEmployee>(LedgerEmployee{stmt->Text(0), stmt->Text(1)});
}

absl::Status Ledger::RecordEmployee(const std::string& connection_id, int64_t application_id,
                                    const LedgerEmployee& employee) {
  std::lock_guard lock(mutex_);
  if (db_ == nullptr) return Error("recording");
  absl::StatusOr<store::Statement> stmt = db_->Prepare(
      "INSERT INTO employees (connection_id, application_id, employee_id, problems) "
      "VALUES (?, ?, ?, ?) ON CONFLICT (connection_id, application_id) DO UPDATE SET "
      "employee_id = excluded.employee_id, problems = excluded.problems");
  if (!stmt.ok()) return Error("recording an employee");
  stmt->Bind(1, connection_id)
      .Bind(2, application_id)
      .Bind(3, employee.employee_id)
      .Bind(4, employee.problems);
  absl::StatusOr<bool> row = stmt->Step();
  if (!row.ok() || *row) return Error("recording an employee");
  return absl::OkStatus();
}

absl::StatusOr<bool> Ledger::HasDocument(const std::string& connection_id, int64_t application_id,
                                         const std::string& sha256) {
  std::lock_guard lock(mutex_);
  if (db_ == nullptr) return Error("reading");
  absl::StatusOr<store::Statement> stmt = db_->Prepare(
      "SELECT 1 FROM documents WHERE connection_id = ? AND application_id = ? AND "
      "sha256 = ?");
  if (!stmt.ok()) return Error("reading a document");
  stmt->Bind(1, connection_id).Bind(2, application_id).Bind(3, sha256);
  absl::StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return Error("reading a document");
  return *row;
}

absl::Status Ledger::RecordDocument(const std::string& connection_id, int64_t application_id,
                                    const std::string& sha256) {
  std::lock_guard lock(mutex_);
  if (db_ == nullptr) return Error("recording");
  absl::StatusOr<store::Statement> stmt = db_->Prepare(
      "INSERT OR IGNORE INTO documents (connection_id, application_id, sha256) "
      "VALUES (?, ?, ?)");
  if (!stmt.ok()) return Error("recording a document");
  stmt->Bind(1, connection_id).Bind(2, application_id).Bind(3, sha256);
  absl::StatusOr<bool> row = stmt->Step();
  if (!row.ok() || *row) return Error("recording a document");
  return absl::OkStatus();
}

}  // namespace hiresync::writer
