// hiresyncctl: the operator's command line for hiresync. It talks to the Admin gRPC service
// of hiresync-ingress (its --grpc_listen address) with the token of ingress's
// --admin_token_file.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/grpc/server.h"
#include "hiresync/v1/admin.grpc.pb.h"

namespace {

using namespace hiresync::v1;  // NOLINT: the tool speaks only this package

constexpr const char* kUsage = R"(usage: hiresyncctl [--addr HOST:PORT] [--token_file FILE] [--json] COMMAND [ARGS]

Talks to hiresync-ingress's admin service (its --grpc_listen address) with the token of
ingress's --admin_token_file.

commands:
  events [--connection C] [--state S] [--candidate N] [--limit 50]
                               list events, newest first (S: RECEIVED, MAPPED, WRITTEN,
                               NOTED, DONE, DEAD)
  show ID                      one event: summary, problems, history, the note's text
  replay ID [--allow-duplicate-name] [--reason TEXT]
                               send a DONE or DEAD event through the pipeline again;
                               --allow-duplicate-name syncs it even though GoCo has an
                               employee with the same name (a different person)
  retry-dead CONNECTION [--reason TEXT]
                               replay every DEAD event of a connection
  connections                  the connections: config state, operator override, paused
  pause CONNECTION             hires of the connection are stored but wait
  resume CONNECTION            hires of the connection sync again (also a config-PAUSED one)
  clear-override CONNECTION    drop pause/resume: the config's state applies again
  purge [--older-than-days N]  remove the payload and personal data of finished events
                               received more than N days ago (default: ingress's
                               --retention_days); outcome and history are kept

global flags:
  --addr HOST:PORT      ingress's gRPC address (env HIRESYNC_ADMIN_ADDR; 127.0.0.1:50051)
  --token_file FILE     file holding the admin token (env HIRESYNC_ADMIN_TOKEN_FILE, or the
                        token itself in HIRESYNC_ADMIN_TOKEN)
  --json                print the answer as JSON
  --deadline_ms MS      deadline of the call (10000)
  --tls_cert_file FILE, --tls_key_file FILE, --tls_ca_file FILE
                        mTLS to an ingress started with them: a client certificate signed by
                        the CA, e.g. ingress's own in its pod (env HIRESYNC_TLS_CERT_FILE, ...)
  --tls_server_name NAME
                        the name in ingress's certificate, when --addr's host is not in it
                        (env HIRESYNC_TLS_SERVER_NAME)
)";

struct UsageError {
  std::string message;
};

// Flags a command accepts, and whether each takes a value.
const std::map<std::string, bool>& KnownFlags() {
  static const auto* flags = new std::map<std::string, bool>{
      {"addr", true},       {"token-file", true},  {"json", false},
      {"deadline-ms", true}, {"connection", true},  {"state", true},
      {"candidate", true},  {"limit", true},       {"allow-duplicate-name", false},
      {"reason", true},     {"older-than-days", true}, {"help", false},
      {"tls-cert-file", true}, {"tls-key-file", true}, {"tls-ca-file", true},
      {"tls-server-name", true}};
  return *flags;
}

const std::set<std::string> kGlobalFlags = {"addr",          "token-file",    "json",
                                            "deadline-ms",   "help",          "tls-cert-file",
                                            "tls-key-file",  "tls-ca-file",   "tls-server-name"};

const std::map<std::string, std::set<std::string>>& CommandFlags() {
  static const auto* flags = new std::map<std::string, std::set<std::string>>{
      {"events", {"connection", "state", "candidate", "limit"}},
      {"show", {}},
      {"replay", {"allow-duplicate-name", "reason"}},
      {"retry-dead", {"reason"}},
      {"connections", {}},
      {"pause", {}},
      {"resume", {}},
      {"clear-override", {}},
      {"purge", {"older-than-days"}},
      {"help", {}}};
  return *flags;
}

const std::map<std::string, size_t>& CommandArgs() {
  static const auto* args = new std::map<std::string, size_t>{
      {"events", 0}, {"show", 1},  {"replay", 1}, {"retry-dead", 1}, {"connections", 0},
      {"pause", 1},  {"resume", 1}, {"clear-override", 1}, {"purge", 0}, {"help", 0}};
  return *args;
}

const std::map<std::string, std::string>& CommandArgName() {
  static const auto* names = new std::map<std::string, std::string>{
      {"show", "ID"}, {"replay", "ID"}, {"retry-dead", "CONNECTION"}, {"pause", "CONNECTION"},
      {"resume", "CONNECTION"}, {"clear-override", "CONNECTION"}};
  return *names;
}

struct Command {
  std::string name;
  std::vector<std::string> args;
  std::map<std::string, std::string> flags;
  bool Has(const std::string& flag) const { return flags.count(flag) > 0; }
  std::string Get(const std::string& flag, const std::string& fallback = "") const {
    auto found = flags.find(flag);
    return found == flags.end() ? fallback : found->second;
  }
};

Command Parse(int argc, char** argv) {
  Command command;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-' || arg == "--") {
      positional.push_back(arg);
      continue;
    }
    std::string name(absl::StripPrefix(absl::StripPrefix(arg, "-"), "-"));
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    absl::StrReplaceAll({{"_", "-"}}, &name);
    auto known = KnownFlags().find(name);
    if (known == KnownFlags().end()) throw UsageError{absl::StrCat("unknown flag ", arg)};
    if (known->second && !value) {
      if (i + 1 >= argc) throw UsageError{absl::StrCat("--", name, " needs a value")};
      value = argv[++i];
    }
    if (!known->second && value) {
      throw UsageError{absl::StrCat("--", name, " takes no value")};
    }
    command.flags[name] = value.value_or("true");
  }
  if (command.Has("help")) {
    command.name = "help";
    return command;
  }
  if (positional.empty()) throw UsageError{"no command given"};
  command.name = positional[0];
  command.args.assign(positional.begin() + 1, positional.end());
  auto allowed = CommandFlags().find(command.name);
  if (allowed == CommandFlags().end()) {
    throw UsageError{absl::StrCat("unknown command '", command.name, "'")};
  }
  for (const auto& [flag, value] : command.flags) {
    if (!kGlobalFlags.count(flag) && !allowed->second.count(flag)) {
      throw UsageError{absl::StrCat("'", command.name, "' takes no --", flag)};
    }
  }
  size_t want = CommandArgs().at(command.name);
  if (command.args.size() != want) {
    throw UsageError{want == 0 ? absl::StrCat("'", command.name, "' takes no arguments")
                               : absl::StrCat("'", command.name, "' needs one ",
                                              CommandArgName().at(command.name))};
  }
  return command;
}

int64_t ParseInt(const std::string& text, const std::string& what, int64_t min) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < min) {
    throw UsageError{absl::StrCat(what, " must be a whole number of at least ", min, ", not '",
                                  text, "'")};
  }
  return value;
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// The token: --token_file, HIRESYNC_ADMIN_TOKEN_FILE, HIRESYNC_ADMIN_TOKEN; "" when none.
std::string Token(const Command& command) {
  std::string file = command.Get("token-file", Env("HIRESYNC_ADMIN_TOKEN_FILE"));
  if (file.empty()) return std::string(absl::StripAsciiWhitespace(Env("HIRESYNC_ADMIN_TOKEN")));
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw UsageError{absl::StrCat("the token file ", file, " cannot be read: check the path")};
  }
  std::stringstream content;
  content << in.rdbuf();
  std::string token(absl::StripAsciiWhitespace(content.str()));
  if (token.empty()) throw UsageError{absl::StrCat("the token file ", file, " is empty")};
  return token;
}

std::string FormatTime(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M:%SZ", absl::FromUnixSeconds(ts.seconds()),
                          absl::UTCTimeZone());
}

std::string OneLine(const std::string& text, size_t max) {
  std::string line = absl::StrReplaceAll(text, {{"\n", " "}});
  if (line.size() > max) line = line.substr(0, max - 3) + "...";
  return line;
}

void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) widths[c] = header[c].size();
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    std::printf("%s\n", std::string(absl::StripTrailingAsciiWhitespace(line)).c_str());
  };
  print(header);
  for (const auto& row : rows) print(row);
}

void PrintJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) json = "{}";
  std::printf("%s", json.c_str());
  if (json.empty() || json.back() != '\n') std::printf("\n");
}

std::string StateText(const EventSummary& e) {
  return e.outcome().empty() ? e.state() : absl::StrCat(e.state(), " (", e.outcome(), ")");
}

void PrintEvents(const ListEventsResponse& response) {
  if (response.events_size() == 0) {
    std::printf("no events\n");
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : response.events()) {
    rows.push_back({absl::StrCat(e.id()), e.connection_id(), absl::StrCat(e.candidate_id()),
                    e.state(), e.outcome(), absl::StrCat(e.attempts()),
                    FormatTime(e.received_at()), OneLine(e.last_error(), 60)});
  }
  PrintTable({"ID", "CONNECTION", "CANDIDATE", "STATE", "OUTCOME", "ATTEMPTS", "RECEIVED",
              "LAST ERROR"},
             rows);
}

void PrintEvent(const GetEventResponse& r) {
  const EventSummary& e = r.event();
  std::printf("event %lld  connection %s  candidate %lld%s  application %lld\n",
              static_cast<long long>(e.id()), e.connection_id().c_str(),
              static_cast<long long>(e.candidate_id()),
              r.candidate_name().empty() ? "" : absl::StrCat(" (", r.candidate_name(), ")").c_str(),
              static_cast<long long>(e.application_id()));
  std::printf("state:      %s\n", StateText(e).c_str());
  std::printf("received:   %s  (delivery %s)\n", FormatTime(e.received_at()).c_str(),
              e.delivery_id().c_str());
  std::printf("attempts:   %d\n", e.attempts());
  if (e.has_next_attempt_at()) {
    std::printf("next try:   %s\n", FormatTime(e.next_attempt_at()).c_str());
  }
  if (!e.last_error().empty()) std::printf("last error: %s\n", e.last_error().c_str());
  if (e.replay_count() > 0) {
    std::printf("replays:    %d%s\n", e.replay_count(),
                e.allow_duplicate_name() ? " (syncs even if GoCo has an employee with this name)"
                                         : "");
  }
  if (e.has_payload_purged_at()) {
    std::printf("purged:     %s (payload and personal data removed)\n",
                FormatTime(e.payload_purged_at()).c_str());
  }
  if (!r.write_outcome().empty()) {
    std::printf("GoCo:       %s%s%s\n", r.write_outcome().c_str(),
                r.employee_id().empty() ? "" : absl::StrCat(", employee ", r.employee_id()).c_str(),
                r.write_reason().empty() ? "" : absl::StrCat(": ", r.write_reason()).c_str());
  }
  if (r.problems_size() > 0) {
    std::printf("problems:\n");
    for (const auto& p : r.problems()) {
      std::printf("  - %s %s%s%s: %s\n", Problem::Severity_Name(p.severity()).c_str(),
                  p.code().c_str(), p.field().empty() ? "" : absl::StrCat(" (", p.field(), ")").c_str(),
                  p.value().empty() ? "" : absl::StrCat(" \"", p.value(), "\"").c_str(),
                  p.message().c_str());
    }
  }
  std::printf("history:\n");
  std::vector<std::vector<std::string>> rows;
  for (const auto& h : r.history()) {
    rows.push_back({"  " + FormatTime(h.at()), h.step(), h.outcome(), h.detail()});
  }
  PrintTable({"  AT", "STEP", "OUTCOME", "DETAIL"}, rows);
  if (!r.note_text().empty()) {
    std::printf("note%s:\n", r.note_id() == 0 ? " (not written; its text)"
                                                : absl::StrCat(" ", r.note_id()).c_str());
    for (absl::string_view line : absl::StrSplit(r.note_text(), '\n')) {
      std::printf("  %s\n", std::string(line).c_str());
    }
  }
}

void PrintConnections(const ListConnectionsResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : response.connections()) {
    std::string override_text = c.override_state().empty()
                                    ? "-"
                                    : absl::StrCat(c.override_state(), " (by ",
                                                   c.override_set_by().empty() ? "?" : c.override_set_by(),
                                                   " at ", FormatTime(c.override_set_at()), ")");
    rows.push_back({c.id(), c.config_state(), override_text, c.paused() ? "yes" : "no"});
  }
  PrintTable({"CONNECTION", "CONFIG", "OVERRIDE", "PAUSED"}, rows);
}

void PrintConnection(const ConnectionStatus& c) {
  std::printf("connection %s: %s (config %s, override %s)\n", c.id().c_str(),
              c.paused() ? "paused, hires are stored and wait" : "active, hires sync",
              c.config_state().c_str(), c.override_state().empty() ? "none" : c.override_state().c_str());
}

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    default: return "ERROR";
  }
}

class Client {
 public:
  Client(std::string addr, std::string token, absl::Duration deadline,
         std::shared_ptr<const hiresync::grpcutil::Tls> tls)
      : addr_(std::move(addr)),
        token_(std::move(token)),
        deadline_(deadline),
        tls_(std::move(tls)),
        stub_(Admin::NewStub(hiresync::grpcutil::MakeChannel(addr_, tls_.get()))) {}

  // Calls `method` with a deadline and the token; prints the error and returns false when
  // the call failed.
  template <typename Request, typename Response>
  bool Call(grpc::Status (Admin::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
            const Request& request, Response* response) {
    auto context = hiresync::grpcutil::ContextWithDeadline(deadline_);
    if (!token_.empty()) context->AddMetadata("authorization", "Bearer " + token_);
    grpc::Status status = (stub_.get()->*method)(context.get(), request, response);
    if (status.ok()) return true;
    std::string message = status.error_message();
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
        status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      message = absl::StrCat("cannot reach hiresync-ingress at ", addr_, " (", message,
                             "): is it running, and is --addr its --grpc_listen address?");
    } else if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      message = absl::StrCat(addr_, " has no hiresync admin service (", message,
                             "): is --addr hiresync-ingress's --grpc_listen address?");
    }
    std::fprintf(stderr, "hiresyncctl: %s: %s\n", CodeName(status.error_code()), message.c_str());
    return false;
  }

 private:
  std::string addr_;
  std::string token_;
  absl::Duration deadline_;
  std::shared_ptr<const hiresync::grpcutil::Tls> tls_;
  std::unique_ptr<Admin::Stub> stub_;
};

// mTLS from --tls_* (or HIRESYNC_TLS_*): null when none is given.
std::shared_ptr<const hiresync::grpcutil::Tls> TlsFor(const Command& command) {
  hiresync::grpcutil::TlsOptions options;
  options.files = {command.Get("tls-cert-file", Env("HIRESYNC_TLS_CERT_FILE")),
                   command.Get("tls-key-file", Env("HIRESYNC_TLS_KEY_FILE")),
                   command.Get("tls-ca-file", Env("HIRESYNC_TLS_CA_FILE"))};
  options.server_name = command.Get("tls-server-name", Env("HIRESYNC_TLS_SERVER_NAME"));
  const auto& f = options.files;
  if (f.cert_file.empty() && f.key_file.empty() && f.ca_file.empty()) return nullptr;
  if (f.cert_file.empty() || f.key_file.empty() || f.ca_file.empty()) {
    throw UsageError{"--tls_cert_file, --tls_key_file and --tls_ca_file go together: give all "
                     "three for an ingress that uses mTLS, or none"};
  }
  auto tls = hiresync::grpcutil::Tls::Create(options);
  if (!tls.ok()) throw UsageError{std::string(tls.status().message())};
  return *tls;
}

std::string Operator() {
  std::string user = Env("USER");
  if (user.empty()) user = Env("LOGNAME");
  return user.empty() ? "hiresyncctl" : user;
}

int Run(const Command& command) {
  if (command.name == "help") {
    std::printf("%s", kUsage);
    return 0;
  }
  std::string addr = command.Get("addr", Env("HIRESYNC_ADMIN_ADDR"));
  if (addr.empty()) addr = "127.0.0.1:50051";
  absl::Duration deadline =
      absl::Milliseconds(ParseInt(command.Get("deadline-ms", "10000"), "--deadline_ms", 1));
  bool json = command.Has("json");
  Client client(addr, Token(command), deadline, TlsFor(command));
  const std::string& name = command.name;

  if (name == "events") {
    ListEventsRequest request;
    request.set_connection_id(command.Get("connection"));
    request.set_state(absl::AsciiStrToUpper(command.Get("state")));
    if (command.Has("candidate")) {
      request.set_candidate_id(ParseInt(command.Get("candidate"), "--candidate", 1));
    }
    request.set_limit(static_cast<int32_t>(ParseInt(command.Get("limit", "50"), "--limit", 1)));
    ListEventsResponse response;
    if (!client.Call(&Admin::Stub::ListEvents, request, &response)) return 1;
    json ? PrintJson(response) : PrintEvents(response);
    return 0;
  }
  if (name == "show") {
    GetEventRequest request;
    request.set_id(ParseInt(command.args[0], "ID", 1));
    GetEventResponse response;
    if (!client.Call(&Admin::Stub::GetEvent, request, &response)) return 1;
    json ? PrintJson(response) : PrintEvent(response);
    return 0;
  }
  if (name == "replay") {
    ReplayEventRequest request;
    request.set_id(ParseInt(command.args[0], "ID", 1));
    request.set_allow_duplicate_name(command.Has("allow-duplicate-name"));
    request.set_requested_by(Operator());
    request.set_reason(command.Get("reason"));
    ReplayEventResponse response;
    if (!client.Call(&Admin::Stub::ReplayEvent, request, &response)) return 1;
    if (json) {
      PrintJson(response);
    } else {
      std::printf("event %lld replayed: %s, syncing again%s; follow it with `hiresyncctl show %lld`\n",
                  static_cast<long long>(request.id()), response.event().state().c_str(),
                  request.allow_duplicate_name()
                      ? " even if GoCo has an employee with this name"
                      : "",
                  static_cast<long long>(request.id()));
    }
    return 0;
  }
  if (name == "retry-dead") {
    RetryDeadRequest request;
    request.set_connection_id(command.args[0]);
    request.set_requested_by(Operator());
    request.set_reason(command.Get("reason"));
    RetryDeadResponse response;
    if (!client.Call(&Admin::Stub::RetryDead, request, &response)) return 1;
    if (json) {
      PrintJson(response);
    } else {
      std::printf("%lld DEAD event(s) of %s replayed\n", static_cast<long long>(response.replayed()),
                  request.connection_id().c_str());
    }
    return 0;
  }
  if (name == "connections") {
    ListConnectionsResponse response;
    if (!client.Call(&Admin::Stub::ListConnections, ListConnectionsRequest(), &response)) return 1;
    json ? PrintJson(response) : PrintConnections(response);
    return 0;
  }
  if (name == "pause" || name == "resume" || name == "clear-override") {
    SetConnectionStateRequest request;
    request.set_connection_id(command.args[0]);
    request.set_state(name == "pause"    ? SetConnectionStateRequest::PAUSED
                      : name == "resume" ? SetConnectionStateRequest::ACTIVE
                                         : SetConnectionStateRequest::CLEAR);
    request.set_requested_by(Operator());
    SetConnectionStateResponse response;
    if (!client.Call(&Admin::Stub::SetConnectionState, request, &response)) return 1;
    json ? PrintJson(response) : PrintConnection(response.connection());
    return 0;
  }
  if (name == "purge") {
    PurgePayloadsRequest request;
    if (command.Has("older-than-days")) {
      request.set_older_than_days(
          static_cast<int32_t>(ParseInt(command.Get("older-than-days"), "--older-than-days", 0)));
    }
    PurgePayloadsResponse response;
    if (!client.Call(&Admin::Stub::PurgePayloads, request, &response)) return 1;
    if (json) {
      PrintJson(response);
    } else {
      std::printf("%lld event(s) purged (finished, received before %s)\n",
                  static_cast<long long>(response.purged()),
                  FormatTime(response.received_before()).c_str());
    }
    return 0;
  }
  throw UsageError{absl::StrCat("unknown command '", name, "'")};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(Parse(argc, argv));
  } catch (const UsageError& e) {
    if (argc <= 1) {
      std::fprintf(stderr, "%s", kUsage);
    } else {
      std::fprintf(stderr, "hiresyncctl: %s\nRun `hiresyncctl help` for the commands and flags.\n",
                   e.message.c_str());
    }
    return 2;
  }
}
