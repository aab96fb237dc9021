// A throw-away PostgreSQL server for tests: initdb into a temporary directory, the server
// on 127.0.0.1 with a free port and trust authentication, stopped and removed with the
// object. Uses the Debian 'postgresql' package's binaries (/usr/lib/postgresql/<v>/bin,
// or HIRESYNC_POSTGRES_BIN_DIR); as root, it runs them as the 'postgres' system user,
// since initdb refuses root.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/support/process.h"

namespace hiresync::testing {

class TestPostgres {
 public:
  // Fails (never skips) when the server binaries are missing, saying what to install.
  static absl::StatusOr<std::unique_ptr<TestPostgres>> Start();
  ~TestPostgres();
  TestPostgres(const TestPostgres&) = delete;
  TestPostgres& operator=(const TestPostgres&) = delete;

  // postgresql://postgres@127.0.0.1:PORT/hiresync_test
  std::string url() const { return UrlOf("hiresync_test"); }
  std::string UrlOf(const std::string& database) const;
  int port() const { return port_; }

  // Creates an empty database (hiresync_test_1, _2, ...) and returns its URL.
  absl::StatusOr<std::string> NewDatabase();

  // Runs `sql` on the database at `url`; the rows as text (NULL as "").
  static absl::StatusOr<std::vector<std::vector<std::string>>> Query(const std::string& url,
                                                                     const std::string& sql);

  // The server's log, for failure messages.
  std::string Log() const;

 private:
  TestPostgres() = default;

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Process> server_;
  int port_ = 0;
  int databases_ = 0;
};

}  // namespace hiresync::testing
