#include "tests/support/postgres.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace hiresync::testing {
namespace {

namespace fs = std::filesystem;

bool HasServer(const fs::path& bin) {
  return access((bin / "initdb").c_str(), X_OK) == 0 &&
         access((bin / "postgres").c_str(), X_OK) == 0;
}

// HIRESYNC_POSTGRES_BIN_DIR, else the bin/ of the newest PostgreSQL under
// /usr/lib/postgresql that has initdb and postgres.
absl::StatusOr<std::string> ServerBinDir() {
  if (const char* dir = std::getenv("HIRESYNC_POSTGRES_BIN_DIR")) {
    if (HasServer(dir)) return std::string(dir);
    return absl::NotFoundError(absl::StrCat(
        "HIRESYNC_POSTGRES_BIN_DIR=", dir,
        " has no executable initdb and postgres: point it "
        "at a PostgreSQL server's bin/ folder, or unset it to use /usr/lib/postgresql"));
  }
  int best = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    int version = 0;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &version)) continue;
    if (HasServer(entry.path() / "bin")) best = std::max(best, version);
  }
  if (best < 0) {
    return absl::NotFoundError(
        "PostgreSQL server binaries (initdb, postgres) not found under "
        "/usr/lib/postgresql/<version>/bin: install the Debian package 'postgresql' "
        "(deploy/install-deps does), or set HIRESYNC_POSTGRES_BIN_DIR to their folder");
  }
  return absl::StrCat("/usr/lib/postgresql/", best, "/bin");
}

std::string FirstExecutable(const std::vector<std::string>& candidates) {
  for (const auto& path : candidates) {
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestPostgres>> TestPostgres::Start() {
  auto bin = ServerBinDir();
  if (!bin.ok()) return bin.status();
  std::unique_ptr<TestPostgres> pg(new TestPostgres());
  pg->dir_ = std::make_unique<TempDir>();
  const std::string& dir = pg->dir_->path();

  // As root, run initdb and the server as 'postgres' through setpriv, which execs the
  // binary itself (no extra parent), so signals reach the server directly.
  std::string launcher;
  std::vector<std::string> prefix;
  if (geteuid() == 0) {
    passwd* user = getpwnam("postgres");
    if (user == nullptr) {
      return absl::FailedPreconditionError(
          "tests run as root and initdb refuses root, but there is no 'postgres' system user "
          "to run it as: install the Debian package 'postgresql', which creates it");
    }
    launcher = FirstExecutable({"/usr/bin/setpriv", "/bin/setpriv"});
    if (launcher.empty()) {
      return absl::FailedPreconditionError(
          "tests run as root and need setpriv (package util-linux) to start PostgreSQL as "
          "the 'postgres' user: install util-linux");
    }
    if (chown(dir.c_str(), user->pw_uid, user->pw_gid) != 0) {
      return absl::InternalError(absl::StrCat("cannot give ", dir, " to the postgres user"));
    }
    prefix = {absl::StrCat("--reuid=", user->pw_uid), absl::StrCat("--regid=", user->pw_gid),
              "--clear-groups", "--"};
  }
  auto command = [&](const std::string& binary, std::vector<std::string> args) {
    std::vector<std::string> full = prefix;
    full.push_back(binary);
    full.insert(full.end(), args.begin(), args.end());
    return std::make_pair(launcher.empty() ? binary : launcher, launcher.empty() ? args : full);
  };

  std::string data = dir + "/data";
  auto [initdb, initdb_args] =
      command(*bin + "/initdb", {"-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                                 "--no-locale", "--no-sync", "--no-instructions"});
  auto init = Process::Start(initdb, initdb_args, {}, dir + "/initdb.log");
  if (!init.ok()) return init.status();
  int init_code = (*init)->Wait(absl::Seconds(60));
  if (init_code != 0) {
    return absl::InternalError(
        absl::StrCat("initdb failed (exit ", init_code, "):\n", (*init)->Log()));
  }

  pg->port_ = FreePort();
  auto [postgres, server_args] =
      command(*bin + "/postgres", {"-D", data, "-p", std::to_string(pg->port_), "-k", dir, "-c",
                                   "listen_addresses=127.0.0.1", "-c", "fsync=on"});
  auto server = Process::Start(postgres, server_args, {}, dir + "/postgres.log");
  if (!server.ok()) return server.status();
  pg->server_ = std::move(*server);

  std::string admin = pg->UrlOf("postgres");
  bool ready =
      WaitFor([&] { return !pg->server_->Running() || PQping(admin.c_str()) == PQPING_OK; },
              absl::Seconds(30));
  if (!ready || !pg->server_->Running()) {
    return absl::UnavailableError(absl::StrCat("PostgreSQL on 127.0.0.1:", pg->port_,
                                               " did not accept connections within 30 s:\n",
                                               pg->Log()));
  }
  auto created = Query(admin, "CREATE DATABASE hiresync_test");
  if (!created.ok()) return created.status();
  return pg;
}

TestPostgres::~TestPostgres() {
  if (server_ != nullptr && server_->Running()) {
    // SIGQUIT is PostgreSQL's immediate shutdown: the server and its sessions stop without
    // the shutdown checkpoint, which would fsync every file of data about to be removed
    // (seconds per database). SIGTERM's smart shutdown would wait for open sessions.
    server_->Signal(SIGQUIT);
    if (server_->Wait(absl::Seconds(15)) == -1) {
      kill(-server_->pid(), SIGKILL);
      server_->Wait(absl::Seconds(5));
    }
  }
  server_.reset();
  dir_.reset();
}

std::string TestPostgres::UrlOf(const std::string& database) const {
  return absl::StrCat("postgresql://postgres@127.0.0.1:", port_, "/", database);
}

absl::StatusOr<std::string> TestPostgres::NewDatabase() {
  std::string name = absl::StrCat("hiresync_test_", ++databases_);
  auto created = Query(UrlOf("postgres"), absl::StrCat("CREATE DATABASE ", name));
  if (!created.ok()) return created.status();
  return UrlOf(name);
}

absl::StatusOr<std::vector<std::vector<std::string>>> TestPostgres::Query(const std::string& url,
                                                                          const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("cannot connect to ", url, ": ", message));
  }
  PGresult* result = PQexec(conn, sql.c_str());
  ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string message = PQresultErrorMessage(result);
    PQclear(result);
    PQfinish(conn);
    return absl::InternalError(absl::StrCat(sql, ": ", message));
  }
  std::vector<std::vector<std::string>> rows;
  for (int r = 0; r < PQntuples(result); ++r) {
    std::vector<std::string> row;
    for (int c = 0; c < PQnfields(result); ++c) row.emplace_back(PQgetvalue(result, r, c));
    rows.push_back(std::move(row));
  }
  PQclear(result);
  PQfinish(conn);
  return rows;
}

std::string TestPostgres::Log() const { return dir_ ? ReadFile(dir_->File("postgres.log")) : ""; }

}  // namespace hiresync::testing
