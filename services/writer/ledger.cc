#include "services/writer/ledger.h"

#include <sqlite3.h>

#include "absl/strings/str_cat.h"

namespace hiresync::writer {
namespace {

// Finalizes the statement when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const { return stmt_; }
  bool ok() const { return stmt_ != nullptr; }
  void Bind(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void Bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::string Column(sqlite3_stmt* stmt, int index) {
  const unsigned char* text = sqlite3_column_text(stmt, index);
  int size = sqlite3_column_bytes(stmt, index);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), size);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Ledger>> Ledger::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open the writer ledger \"", path, "\": ", message,
                     "; check that the folder exists and is writable (--ledger)"));
  }
  std::unique_ptr<Ledger> ledger(new Ledger(db, path));
  sqlite3_busy_timeout(db, 5000);
  for (const char* sql : {
           "PRAGMA journal_mode=WAL;",
           "PRAGMA synchronous=FULL;",
           "CREATE TABLE IF NOT EXISTS employees ("
           "  connection_id TEXT NOT NULL, application_id INTEGER NOT NULL,"
           "  employee_id TEXT NOT NULL, problems BLOB NOT NULL DEFAULT '',"
           "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
           "  PRIMARY KEY (connection_id, application_id));",
           "CREATE TABLE IF NOT EXISTS documents ("
           "  connection_id TEXT NOT NULL, application_id INTEGER NOT NULL,"
           "  sha256 TEXT NOT NULL,"
           "  uploaded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
           "  PRIMARY KEY (connection_id, application_id, sha256));",
       }) {
    if (absl::Status status = ledger->Exec(sql); !status.ok()) return status;
  }
  return ledger;
}

Ledger::~Ledger() { Close(); }

void Ledger::Close() {
  std::lock_guard lock(mutex_);
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

absl::Status Ledger::Error(const char* what) {
  if (db_ == nullptr) {
    return absl::FailedPreconditionError("the writer ledger is closed (the writer is stopping)");
  }
  return absl::UnavailableError(absl::StrCat("writer ledger \"", path_, "\": ", what,
                                             " failed: ", sqlite3_errmsg(db_),
                                             "; check the disk and the file's permissions"));
}

absl::Status Ledger::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    return absl::FailedPreconditionError(absl::StrCat("cannot prepare the writer ledger \"", path_,
                                                      "\": ", message,
                                                      "; check the file is a hiresync ledger"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<LedgerEmployee>> Ledger::FindEmployee(const std::string& connection_id,
                                                                   int64_t application_id) {
  std::lock_guard lock(mutex_);
  if (db_ == nullptr) return Error("reading");
  Statement stmt(db_,
                 "SELECT employee_id, problems FROM employees WHERE connection_id = ? AND "
                 "application_id = ?");
  if (!stmt.ok()) return Error("reading an employee");
  stmt.Bind(1, connection_id);
  stmt.Bind(2, application_id);
  int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return std::optional<LedgerEmployee>();
  if (rc != SQLITE_ROW) return Error("reading an employee");
  return std::optional<LedgerEmployee>(
      LedgerEmployee{Column(stmt.get(), 0), Column(stmt.get(), 1)});
}

absl::Status Ledger::RecordEmployee(const std::string& connection_id, int64_t application_id,
                                    const LedgerEmployee& employee) {
  std::lock_guard lock(mutex_);
  if (db_ == nullptr) return Error("recording");
  Statement stmt(db_,
                 "INSERT INTO employees (connection_id, application_id, employee_id, problems) "
                 "VALUES (?, ?, ?, ?) ON CONFLICT (connection_id, application_id) DO UPDATE SET "
                 "employee_id = excluded.employee_id, problems = excluded.problems");
  if (!stmt.ok()) return Error("recording an employee");
  stmt.Bind(1, connection_id);
  stmt.Bind(2, application_id);
  stmt.Bind(3, employee.employee_id);
  stmt.Bind(4, employee.problems);
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) return Error("recording an employee");
  return absl::OkStatus();
}

absl::StatusOr<bool> Ledger::HasDocument(const std::string& connection_id, int64_t application_id,
                                         const std::string& sha256) {
  std::lock_guard lock(mutex_);
  if (db_ == nullptr) return Error("reading");
  Statement stmt(db_,
                 "SELECT 1 FROM documents WHERE connection_id = ? AND application_id = ? AND "
                 "sha256 = ?");
  if (!stmt.ok()) return Error("reading a document");
  stmt.Bind(1, connection_id);
  stmt.Bind(2, application_id);
  stmt.Bind(3, sha256);
  int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error("reading a document");
}

absl::Status Ledger::RecordDocument(const std::string& connection_id, int64_t application_id,
                                    const std::string& sha256) {
  std::lock_guard lock(mutex_);
  if (db_ == nullptr) return Error("recording");
  Statement stmt(db_,
                 "INSERT OR IGNORE INTO documents (connection_id, application_id, sha256) "
                 "VALUES (?, ?, ?)");
  if (!stmt.ok()) return Error("recording a document");
  stmt.Bind(1, connection_id);
  stmt.Bind(2, application_id);
  stmt.Bind(3, sha256);
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) return Error("recording a document");
  return absl::OkStatus();
}

}  // namespace hiresync::writer
