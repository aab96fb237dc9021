// A small layer over libpq: a mutex-guarded pool of connections to one database, and
// parameterized statements whose results are read as text (bytea unescaped on request).
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace hiresync::store {

// One statement parameter: text, binary (bytea) or NULL.
struct PgParam {
  static PgParam Text(std::string value) { return {std::move(value), false, false}; }
  static PgParam Int(int64_t value) { return {std::to_string(value), false, false}; }
  static PgParam Bytes(std::string value) { return {std::move(value), true, false}; }
  static PgParam Null() { return {"", false, true}; }
  static PgParam OptionalBytes(const std::optional<std::string>& value) {
    return value ? Bytes(*value) : Null();
  }
  static PgParam OptionalText(const std::optional<std::string>& value) {
    return value ? Text(*value) : Null();
  }
  std::string value;
  bool binary = false;
  bool null = false;
};

// The rows a statement returned, read as text.
class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result) {}
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult() { PQclear(result_); }

  int Rows() const { return PQntuples(result_); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }
  std::string Text(int row, int column) const;
  int64_t Int(int row, int column) const;
  // A bytea column (hex output format); empty for NULL.
  std::string Bytes(int row, int column) const;

 private:
  PGresult* result_;
};

class PgConnection;

// Connections to one database, kept for reuse; a new one is opened when none is idle.
class PgPool {
 public:
  // Connects once to check the URL; `url` is a libpq connection URI.
  static absl::StatusOr<std::unique_ptr<PgPool>> Open(const std::string& url);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // Runs one statement on a pooled connection (its own transaction unless inside one).
  absl::StatusOr<PgResult> Exec(const std::string& sql, const std::vector<PgParam>& params = {});

  // Runs `body` inside BEGIN ... COMMIT on one connection; ROLLBACK when it fails.
  absl::Status Transaction(const std::function<absl::Status(PgConnection&)>& body);

  // Where the pool connects, without credentials, for messages: "host:port/dbname".
  const std::string& where() const { return where_; }

 private:
  PgPool(std::string url, std::string where) : url_(std::move(url)), where_(std::move(where)) {}
  absl::StatusOr<PGconn*> Acquire();
  void Return(PGconn* conn);

  std::string url_;
  std::string where_;
  std::mutex mu_;
  std::vector<PGconn*> idle_;
};

// A connection borrowed from the pool for a transaction.
class PgConnection {
 public:
  PgConnection(PGconn* conn, const std::string& where) : conn_(conn), where_(where) {}
  absl::StatusOr<PgResult> Exec(const std::string& sql, const std::vector<PgParam>& params = {});

 private:
  PGconn* conn_;
  const std::string& where_;
};

}  // namespace hiresync::store
