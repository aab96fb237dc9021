#include "services/ingress/admin_service.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/crypto/crypto.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "hiresync/v1/mapper.pb.h"
#include "hiresync/v1/notes.pb.h"
#include "hiresync/v1/writer.pb.h"

namespace hiresync::ingress {
namespace {

using hiresync::v1::ConnectionStatus;
using hiresync::v1::EventSummary;
using hiresync::v1::SetConnectionStateRequest;

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 1000;

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  int64_t ms = absl::ToUnixMillis(t);
  out->set_seconds(ms / 1000);
  out->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
}

EventSummary Summary(const store::StoredEvent& e) {
  EventSummary s;
  s.set_id(e.id);
  s.set_connection_id(e.connection_id);
  s.set_delivery_id(e.delivery_id);
  s.set_candidate_id(e.candidate_id);
  s.set_application_id(e.application_id);
  s.set_state(store::StateName(e.state));
  s.set_outcome(e.outcome);
  s.set_attempts(e.attempts);
  SetTime(e.received_at, s.mutable_received_at());
  if (!store::IsTerminal(e.state)) SetTime(e.next_attempt_at, s.mutable_next_attempt_at());
  s.set_last_error(e.last_error);
  s.set_replay_count(e.replay_count);
  s.set_allow_duplicate_name(e.allow_duplicate_name);
  if (e.payload_purged_at) SetTime(*e.payload_purged_at, s.mutable_payload_purged_at());
  return s;
}

grpc::Status NoSuchConnection(const std::string& id) {
  return grpc::Status(grpc::StatusCode::NOT_FOUND,
                      absl::StrCat("no connection '", id,
                                   "' in the configuration: `hiresyncctl connections` lists them"));
}

}  // namespace

absl::StatusOr<std::string> ReadAdminToken(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--admin_token_file ", path, " cannot be read: check the path and its permissions"));
  }
  std::stringstream content;
  content << in.rdbuf();
  std::string token(absl::StripAsciiWhitespace(content.str()));
  if (token.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--admin_token_file ", path,
        " is empty: put a long random token in it, e.g. `openssl rand -hex 32 > ", path, "`"));
  }
  return token;
}

AdminService::AdminService(std::optional<std::string> token, absl::Duration retention,
                           store::OperatorInbox* inbox, config::ConnectionsFn connections,
                           ConnectionStates* states, std::function<void()> wake)
    : token_(std::move(token)),
      retention_(retention),
      inbox_(inbox),
      connections_(std::move(connections)),
      states_(states),
      wake_(std::move(wake)) {}

void AdminService::SetToken(std::optional<std::string> token) {
  std::lock_guard<std::mutex> lock(mu_);
  token_ = std::move(token);
}

grpc::Status AdminService::Authorize(grpc::ServerContext* context, const char* method) {
  std::optional<std::string> token;
  {
    std::lock_guard<std::mutex> lock(mu_);
    token = token_;
  }
  if (!token) {
    return grpc::Status(
        grpc::StatusCode::FAILED_PRECONDITION,
        "the admin service is off on this hiresync-ingress: start it with --admin_token_file "
        "FILE (a file holding a long random token) and give hiresyncctl the same token");
  }
  const auto& metadata = context->client_metadata();
  auto found = metadata.find("authorization");
  const char* refusal = nullptr;
  if (found == metadata.end()) {
    refusal = "no admin token was sent";
  } else {
    std::string_view given(found->second.data(), found->second.size());
    if (!crypto::ConstantTimeEquals(given, absl::StrCat("Bearer ", *token))) {
      refusal = "the admin token is wrong";
    }
  }
  if (refusal == nullptr) return grpc::Status::OK;
  log::Warn("admin call refused", {{"method", method}, {"reason", refusal}, {"peer", context->peer()}});
  return grpc::Status(
      grpc::StatusCode::UNAUTHENTICATED,
      absl::StrCat(refusal,
                   ": give hiresyncctl the token of ingress's --admin_token_file with "
                   "--token_file FILE or the environment variable HIRESYNC_ADMIN_TOKEN (other "
                   "clients send the metadata `authorization: Bearer <token>`)"));
}

grpc::Status AdminService::ListEvents(grpc::ServerContext* context,
                                      const hiresync::v1::ListEventsRequest* request,
                                      hiresync::v1::ListEventsResponse* response) {
  if (auto s = Authorize(context, "ListEvents"); !s.ok()) return s;
  store::EventFilter filter;
  filter.connection_id = request->connection_id();
  filter.candidate_id = request->candidate_id();
  if (!request->state().empty()) {
    filter.state = store::ParseState(absl::AsciiStrToUpper(request->state()));
    if (!filter.state) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("unknown state '", request->state(),
                                       "': use RECEIVED, MAPPED, WRITTEN, NOTED, DONE or DEAD"));
    }
  }
  if (request->limit() < 0 || request->limit() > kMaxLimit) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("limit ", request->limit(), " is out of range: give 1 to ",
                                     kMaxLimit));
  }
  filter.limit = request->limit() == 0 ? kDefaultLimit : request->limit();
  auto events = inbox_->Find(filter);
  if (!events.ok()) return status::ToGrpc(events.status());
  for (const auto& e : *events) *response->add_events() = Summary(e);
  return grpc::Status::OK;
}

grpc::Status AdminService::GetEvent(grpc::ServerContext* context,
                                    const hiresync::v1::GetEventRequest* request,
                                    hiresync::v1::GetEventResponse* response) {
  if (auto s = Authorize(context, "GetEvent"); !s.ok()) return s;
  auto event = inbox_->Get(request->id());
  if (!event.ok()) return status::ToGrpc(event.status());
  if (!event->has_value()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("no event ", request->id(),
                                     ": list the events with `hiresyncctl events`"));
  }
  const store::StoredEvent& e = **event;
  auto history = inbox_->History(e.id);
  if (!history.ok()) return status::ToGrpc(history.status());
  *response->mutable_event() = Summary(e);
  for (const auto& step : *history) {
    auto* h = response->add_history();
    SetTime(step.at, h->mutable_at());
    h->set_step(step.step);
    h->set_outcome(step.outcome);
    h->set_detail(step.detail);
  }
  hiresync::v1::MapResponse map;
  if (!e.map_result.empty() && map.ParseFromString(e.map_result)) {
    for (const auto& p : map.problems()) *response->add_problems() = p;
  }
  hiresync::v1::WriteResponse write;
  if (!e.write_result.empty() && write.ParseFromString(e.write_result)) {
    for (const auto& p : write.problems()) *response->add_problems() = p;
    response->set_write_outcome(hiresync::v1::WriteResponse::Outcome_Name(write.outcome()));
    response->set_write_reason(write.reason());
    response->set_employee_id(write.employee_id());
  }
  hiresync::v1::PostNoteResponse note;
  if (!e.note_result.empty() && note.ParseFromString(e.note_result)) {
    response->set_note_text(note.body());
    response->set_note_id(note.note_id());
  }
  const auto& candidate = e.event.application().candidate();
  std::string name = absl::StrCat(candidate.first_name(), " ", candidate.last_name());
  response->set_candidate_name(std::string(absl::StripAsciiWhitespace(name)));
  log::Info("admin: event shown", {{"event_id", e.id}, {"connection", e.connection_id}});
  return grpc::Status::OK;
}

grpc::Status AdminService::ReplayEvent(grpc::ServerContext* context,
                                       const hiresync::v1::ReplayEventRequest* request,
                                       hiresync::v1::ReplayEventResponse* response) {
  if (auto s = Authorize(context, "ReplayEvent"); !s.ok()) return s;
  store::ReplayRequest replay{.allow_duplicate_name = request->allow_duplicate_name(),
                              .by = request->requested_by(),
                              .reason = request->reason()};
  if (auto s = inbox_->Replay(request->id(), replay, absl::Now()); !s.ok()) {
    return status::ToGrpc(s);
  }
  auto event = inbox_->Get(request->id());
  if (!event.ok()) return status::ToGrpc(event.status());
  if (event->has_value()) *response->mutable_event() = Summary(**event);
  log::Info("admin: event replayed", {{"event_id", request->id()},
                                      {"connection", response->event().connection_id()},
                                      {"by", request->requested_by()},
                                      {"allow_duplicate_name", request->allow_duplicate_name()}});
  wake_();
  return grpc::Status::OK;
}

grpc::Status AdminService::RetryDead(grpc::ServerContext* context,
                                     const hiresync::v1::RetryDeadRequest* request,
                                     hiresync::v1::RetryDeadResponse* response) {
  if (auto s = Authorize(context, "RetryDead"); !s.ok()) return s;
  if (connections_()->Find(request->connection_id()) == nullptr) {
    return NoSuchConnection(request->connection_id());
  }
  store::ReplayRequest replay{.by = request->requested_by(),
                              .reason = request->reason().empty() ? "retry-dead"
                                                                  : request->reason()};
  auto count = inbox_->ReplayDead(request->connection_id(), replay, absl::Now());
  if (!count.ok()) return status::ToGrpc(count.status());
  response->set_replayed(*count);
  log::Info("admin: dead events replayed", {{"connection", request->connection_id()},
                                            {"by", request->requested_by()},
                                            {"count", *count}});
  if (*count > 0) wake_();
  return grpc::Status::OK;
}

absl::StatusOr<ConnectionStatus> AdminService::StatusOf(const std::string& connection_id) {
  auto overrides = states_->Overrides();
  if (!overrides.ok()) return overrides.status();
  const config::Connection* conn = connections_()->Find(connection_id);
  ConnectionStatus status;
  status.set_id(connection_id);
  status.set_config_state(
      conn == nullptr ? "NOT_CONFIGURED"
      : conn->proto.state() == hiresync::v1::Connection::STATE_UNSPECIFIED
          ? "ACTIVE"
          : hiresync::v1::Connection::State_Name(conn->proto.state()));
  auto found = overrides->find(connection_id);
  const store::ConnectionOverride* override_state =
      found == overrides->end() ? nullptr : &found->second;
  if (override_state != nullptr) {
    status.set_override_state(override_state->paused ? "PAUSED" : "ACTIVE");
    SetTime(override_state->set_at, status.mutable_override_set_at());
    status.set_override_set_by(override_state->set_by);
  }
  // As the dispatcher decides: a DISABLED connection's stored hires still wait while paused.
  status.set_paused(conn != nullptr && ConnectionStates::IsPaused(*conn, override_state));
  return status;
}

grpc::Status AdminService::ListConnections(grpc::ServerContext* context,
                                           const hiresync::v1::ListConnectionsRequest*,
                                           hiresync::v1::ListConnectionsResponse* response) {
  if (auto s = Authorize(context, "ListConnections"); !s.ok()) return s;
  auto overrides = states_->Overrides();
  if (!overrides.ok()) return status::ToGrpc(overrides.status());
  std::set<std::string> ids;
  for (const auto& [id, conn] : connections_()->all()) ids.insert(id);
  // Overrides of connections no longer configured are listed too, so they can be cleared.
  for (const auto& [id, o] : *overrides) ids.insert(id);
  for (const auto& id : ids) {
    auto status = StatusOf(id);
    if (!status.ok()) return status::ToGrpc(status.status());
    *response->add_connections() = *status;
  }
  return grpc::Status::OK;
}

grpc::Status AdminService::SetConnectionState(
    grpc::ServerContext* context, const hiresync::v1::SetConnectionStateRequest* request,
    hiresync::v1::SetConnectionStateResponse* response) {
  if (auto s = Authorize(context, "SetConnectionState"); !s.ok()) return s;
  const std::string& id = request->connection_id();
  std::optional<bool> paused;
  switch (request->state()) {
    case SetConnectionStateRequest::PAUSED: paused = true; break;
    case SetConnectionStateRequest::ACTIVE: paused = false; break;
    case SetConnectionStateRequest::CLEAR: break;
    default:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "state must be PAUSED, ACTIVE or CLEAR");
  }
  if (paused) {
    const config::Connection* conn = connections_()->Find(id);
    if (conn == nullptr) return NoSuchConnection(id);
    if (conn->disabled()) {
      return grpc::Status(
          grpc::StatusCode::FAILED_PRECONDITION,
          absl::StrCat("connection '", id,
                       "' is DISABLED in the configuration (its webhooks are refused): set its "
                       "state to ACTIVE or PAUSED in the config file and reload ingress"));
    }
  }
  if (auto s = inbox_->SetConnectionOverride(id, paused, request->requested_by(), absl::Now());
      !s.ok()) {
    return status::ToGrpc(s);
  }
  states_->Invalidate();
  auto status = StatusOf(id);
  if (!status.ok()) return status::ToGrpc(status.status());
  *response->mutable_connection() = *status;
  log::Info("admin: connection state set",
            {{"connection", id},
             {"state", SetConnectionStateRequest::State_Name(request->state())},
             {"by", request->requested_by()}});
  wake_();
  return grpc::Status::OK;
}

grpc::Status AdminService::PurgePayloads(grpc::ServerContext* context,
                                         const hiresync::v1::PurgePayloadsRequest* request,
                                         hiresync::v1::PurgePayloadsResponse* response) {
  if (auto s = Authorize(context, "PurgePayloads"); !s.ok()) return s;
  absl::Duration older_than = retention_;
  if (request->has_older_than_days()) {
    if (request->older_than_days() < 0) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "older_than_days must be 0 or more");
    }
    older_than = absl::Hours(24) * request->older_than_days();
  }
  absl::Time now = absl::Now();
  absl::Time cutoff = now - older_than;
  auto purged = inbox_->PurgePayloads(cutoff, now);
  if (!purged.ok()) return status::ToGrpc(purged.status());
  response->set_purged(*purged);
  SetTime(cutoff, response->mutable_received_before());
  log::Info("admin: payloads purged", {{"purged", *purged},
                                       {"received_before", absl::FormatTime(cutoff)}});
  return grpc::Status::OK;
}

RetentionPurger::RetentionPurger(store::OperatorInbox* inbox, absl::Duration retention,
                                 absl::Duration every)
    : inbox_(inbox), retention_(retention), every_(every) {}

RetentionPurger::~RetentionPurger() { Stop(); }

void RetentionPurger::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void RetentionPurger::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RetentionPurger::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    absl::Time now = absl::Now();
    auto purged = inbox_->PurgePayloads(now - retention_, now);
    if (purged.ok()) {
      log::Info("retention purge", {{"purged", *purged},
                                    {"retention_days", absl::ToInt64Hours(retention_) / 24}});
    } else {
      log::Error("retention purge failed; will try again at the next one",
                 {{"error", purged.status().ToString()}});
    }
    lock.lock();
    cv_.wait_for(lock, absl::ToChronoMilliseconds(every_), [this] { return stopping_; });
  }
}

}  // namespace hiresync::ingress
