#include "common/store/pg_db.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace hiresync::store {
namespace {

// Idle connections kept for reuse; more are opened when callers overlap, then closed.
constexpr size_t kMaxIdle = 8;

std::string ErrorText(PGconn* conn) {
  return std::string(absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn)));
}

absl::Status ResultError(PGconn* conn, PGresult* result, const std::string& where) {
  const char* sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string code = sqlstate ? sqlstate : "";
  std::string message =
      result ? std::string(absl::StripTrailingAsciiWhitespace(PQresultErrorMessage(result)))
             : ErrorText(conn);
  if (PQstatus(conn) != CONNECTION_OK || code.empty() || code.rfind("08", 0) == 0 ||
      code.rfind("57P", 0) == 0) {
    return absl::UnavailableError(
        absl::StrCat("lost the connection to the PostgreSQL inbox at ", where, ": ", message,
                     "; the operation can be retried once the server is reachable"));
  }
  if (code == "40001" || code == "40P01") {
    return absl::AbortedError(absl::StrCat("PostgreSQL inbox at ", where,
                                           " aborted a transaction (", message, "); retry it"));
  }
  if (code.rfind("53", 0) == 0) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the PostgreSQL inbox at ", where, " is out of resources: ", message,
                     "; check the server's disk, memory and max_connections"));
  }
  return absl::InternalError(
      absl::StrCat("PostgreSQL inbox at ", where, " refused a statement [", code, "]: ", message));
}

absl::StatusOr<PgResult> ExecOn(PGconn* conn, const std::string& where, const std::string& sql,
                                const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const auto& p : params) {
    values.push_back(p.null ? nullptr : p.value.data());
    lengths.push_back(static_cast<int>(p.value.size()));
    formats.push_back(p.binary ? 1 : 0);
  }
  // Without parameters, the simple protocol, which also runs several statements (migrations).
  PGresult* result = params.empty()
                         ? PQexec(conn, sql.c_str())
                         : PQexecParams(conn, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                        values.data(), lengths.data(), formats.data(), 0);
  ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    absl::Status error = ResultError(conn, result, where);
    PQclear(result);
    return error;
  }
  return PgResult(result);
}

// "host:port/dbname" of a connection: enough to find the server, never a password.
std::string Where(PGconn* conn) {
  return absl::StrCat(PQhost(conn) ? PQhost(conn) : "", ":", PQport(conn) ? PQport(conn) : "", "/",
                      PQdb(conn) ? PQdb(conn) : "");
}

}  // namespace

std::string PgResult::Text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<size_t>(PQgetlength(result_, row, column)));
}

int64_t PgResult::Int(int row, int column) const {
  int64_t value = 0;
  if (!absl::SimpleAtoi(Text(row, column), &value)) return 0;
  return value;
}

std::string PgResult::Bytes(int row, int column) const {
  if (IsNull(row, column)) return "";
  size_t length = 0;
  unsigned char* raw = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row, column)), &length);
  if (raw == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(raw), length);
  PQfreemem(raw);
  return out;
}

absl::StatusOr<std::unique_ptr<PgPool>> PgPool::Open(const std::string& url) {
  std::unique_ptr<PgPool> pool(new PgPool(url, ""));
  auto conn = pool->Acquire();
  if (!conn.ok()) return conn.status();
  pool->where_ = Where(*conn);
  pool->Return(*conn);
  return pool;
}

PgPool::~PgPool() {
  for (PGconn* conn : idle_) PQfinish(conn);
}

absl::StatusOr<PGconn*> PgPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      PGconn* conn = idle_.back();
      idle_.pop_back();
      return conn;
    }
  }
  // Keywords before "dbname" are defaults; the URL, expanded from "dbname", overrides them.
  const char* keywords[] = {"application_name", "connect_timeout", "dbname", nullptr};
  const char* values[] = {"hiresync", "10", url_.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) {
    return absl::ResourceExhaustedError("libpq could not allocate a connection: out of memory");
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = ErrorText(conn);
    std::string where = Where(conn);
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat(
        "cannot connect to the PostgreSQL inbox at ", where, ": ", message,
        "; check the inbox URL (host, port, database, user) and that the server is running"));
  }
  // Notices ("relation already exists, skipping") are not errors; libpq would print them.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return conn;
}

void PgPool::Return(PGconn* conn) {
  bool reusable = PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE;
  if (reusable) {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < kMaxIdle) {
      idle_.push_back(conn);
      return;
    }
  }
  PQfinish(conn);
}

absl::StatusOr<PgResult> PgPool::Exec(const std::string& sql, const std::vector<PgParam>& params) {
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  auto result = ExecOn(*conn, where_, sql, params);
  Return(*conn);
  return result;
}

absl::Status PgPool::Transaction(const std::function<absl::Status(PgConnection&)>& body) {
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  PgConnection tx(*conn, where_);
  absl::Status status = tx.Exec("BEGIN").status();
  if (status.ok()) status = body(tx);
  if (status.ok()) {
    status = tx.Exec("COMMIT").status();
  } else if (PQstatus(*conn) == CONNECTION_OK) {
    (void)tx.Exec("ROLLBACK");
  }
  Return(*conn);
  return status;
}

absl::StatusOr<PgResult> PgConnection::Exec(const std::string& sql,
                                            const std::vector<PgParam>& params) {
  return ExecOn(conn_, where_, sql, params);
}

}  // namespace hiresync::store
