// The writer's ledger (SQLite, WAL, synchronous=FULL): per (connection, application) the
// GoCo employee once created, the warnings of that create, and the SHA-256 of every
// document uploaded. A retry reads it to resume instead of creating or uploading twice.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace hiresync::store {
class SqliteDb;
}

namespace hiresync::writer {

struct LedgerEmployee {
  std::string employee_id;
  std::string problems;  // serialized warnings of the create (opaque to the ledger)
};

class Ledger {
 public:
  // Opens (creating if needed) the ledger file.
  static absl::StatusOr<std::unique_ptr<Ledger>> Open(const std::string& path);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  absl::StatusOr<std::optional<LedgerEmployee>> FindEmployee(const std::string& connection_id,
                                                             int64_t application_id);
  absl::Status RecordEmployee(const std::string& connection_id, int64_t application_id,
                              const LedgerEmployee& employee);
  absl::StatusOr<bool> HasDocument(const std::string& connection_id, int64_t application_id,
                                   const std::string& sha256);
  absl::Status RecordDocument(const std::string& connection_id, int64_t application_id,
                              const std::string& sha256);
  // Closes the database; later calls fail with FAILED_PRECONDITION.
  void Close();

 private:
  Ledger(std::unique_ptr<store::SqliteDb> db, std::string path);
  absl::Status Error(const char* what);

  std::mutex mutex_;
  std::unique_ptr<store::SqliteDb> db_;
  std::string path_;
};

}  // namespace hiresync::writer
