// Which inbox an integration test runs on: SQLite in the stack's folder, or a throw-away
// PostgreSQL server started for the test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/support/postgres.h"

namespace hiresync::testing {

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(Backend backend) {
  return backend == Backend::kSqlite ? "sqlite" : "postgres";
}

// The inbox of one test; url() is "" for SQLite (the stack's own file).
class TestInbox {
 public:
  explicit TestInbox(Backend backend) {
    if (backend == Backend::kPostgres) {
      auto pg = TestPostgres::Start();
      EXPECT_TRUE(pg.ok()) << pg.status();
      if (pg.ok()) postgres_ = std::move(*pg);
    }
  }
  std::string url() const { return postgres_ ? postgres_->url() : ""; }

 private:
  std::unique_ptr<TestPostgres> postgres_;
};

}  // namespace hiresync::testing
