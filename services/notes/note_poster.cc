#include "services/notes/note_poster.h"

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/failpoint/failpoint.h"
#include "common/log/log.h"
#include "common/notes/note_text.h"
#include "services/notes/notes_metrics.h"

namespace hiresync::notes {
namespace {

using hiresync::v1::MappingOptions;
using hiresync::v1::PostNoteRequest;
using hiresync::v1::PostNoteResponse;

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

HarvestSettings SettingsFor(const config::Connection& connection) {
  const auto& gh = connection.proto.greenhouse();
  HarvestSettings settings;
  settings.connection_id = connection.id();
  settings.client_id = connection.harvest_client_id;
  settings.client_secret = connection.harvest_client_secret;
  if (!gh.harvest_base_url().empty()) settings.base_url = gh.harvest_base_url();
  if (!gh.token_url().empty()) settings.token_url = gh.token_url();
  settings.author_user_id = gh.note_author_user_id();
  settings.author_email = gh.note_author_email();
  return settings;
}

HarvestFactory RealHarvestFactory(std::shared_ptr<time::Clock> clock, HarvestOptions options) {
  return [clock = std::move(clock), options](
             const config::Connection& connection) -> absl::StatusOr<std::unique_ptr<HarvestApi>> {
    absl::StatusOr<std::unique_ptr<HarvestClient>> client =
        HarvestClient::Create(SettingsFor(connection), clock, options);
    if (!client.ok()) return client.status();
    return std::unique_ptr<HarvestApi>(std::move(*client));
  };
}

std::string VisibilityFor(const config::Connection& connection) {
  switch (connection.proto.mapping().note_visibility()) {
    case MappingOptions::PRIVATE:
      return "private";
    case MappingOptions::PUBLIC:
      return "public";
    default:
      return "admin_only";
  }
}

bool HasMarker(const std::string& body, const std::string& marker) {
  for (size_t at = body.find(marker); at != std::string::npos; at = body.find(marker, at + 1)) {
    size_t end = at + marker.size();
    if (end == body.size() || absl::ascii_isspace(static_cast<unsigned char>(body[end])) ||
        body[end] == '<') {
      return true;
    }
  }
  return false;
}

NotePoster::NotePoster(config::ConnectionsFn connections, NoteLedger* ledger,
                       HarvestFactory factory)
    : connections_(std::move(connections)), ledger_(ledger), factory_(std::move(factory)) {}

absl::StatusOr<std::shared_ptr<HarvestApi>> NotePoster::ClientFor(
    const config::Connection& connection) {
  std::lock_guard lock(mutex_);
  const auto& gh = connection.proto.greenhouse();
  std::string settings =
      absl::StrCat(connection.harvest_client_id, "\n", connection.harvest_client_secret, "\n",
                   gh.harvest_base_url(), "\n", gh.token_url(), "\n", gh.note_author_user_id(),
                   "\n", gh.note_author_email());
  auto it = clients_.find(connection.id());
  if (it != clients_.end() && it->second.settings == settings) return it->second.api;
  absl::StatusOr<std::unique_ptr<HarvestApi>> client = factory_(connection);
  if (!client.ok()) return client.status();
  std::shared_ptr<HarvestApi> api = std::move(*client);
  clients_[connection.id()] = Client{settings, api};
  return api;
}

absl::StatusOr<PostNoteResponse> NotePoster::Post(const PostNoteRequest& request) {
  if (request.connection_id().empty() || request.candidate_id() <= 0 ||
      request.event_id().empty() || request.kind() == PostNoteRequest::KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "PostNoteRequest needs connection_id, candidate_id (> 0), event_id and kind: send the "
        "inbox event's connection, Greenhouse candidate id, stable event id and the note kind");
  }
  std::shared_ptr<const config::Connections> connections = connections_();
  const config::Connection* connection = connections->Find(request.connection_id());
  if (connection == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "connection '", request.connection_id(),
        "' is not in the notes service's connections file: add it there (the same file as "
        "ingress uses) and restart hiresync-notes"));
  }
  if (connection->harvest_client_id.empty() || connection->harvest_client_secret.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "connection '", connection->id(),
        "' has no Harvest v3 credentials, so hiresync cannot write notes in Greenhouse: create a "
        "Harvest V3 (OAuth) credential in Greenhouse (Configure > Dev Center > API Credentials) "
        "with scopes harvest:users:list, harvest:notes:create and harvest:notes:list, and give "
        "it as greenhouse.harvest_client_id and harvest_client_secret"));
  }
  auto key = std::make_pair(request.event_id(), KindName(request.kind()));
  {
    std::lock_guard lock(mutex_);
    if (!in_flight_.insert(key).second) {
      return absl::UnavailableError(
          absl::StrCat("the ", key.second, " note for event ", key.first,
                       " is being written by another call right now; try again in a moment"));
    }
  }
  absl::Cleanup release = [this, &key] {
    std::lock_guard lock(mutex_);
    in_flight_.erase(key);
  };
  return PostOnce(request, *connection);
}

absl::StatusOr<PostNoteResponse> NotePoster::PostOnce(const PostNoteRequest& request,
                                                      const config::Connection& connection) {
  const std::string kind = KindName(request.kind());
  const std::string& event_id = request.event_id();
  const std::string body = ComposeNote(request);
  nlohmann::json log_fields = {{"connection", connection.id()},
                               {"event_id", event_id},
                               {"candidate_id", request.candidate_id()},
                               {"kind", kind}};

  absl::StatusOr<std::optional<LedgerEntry>> entry = ledger_->Find(event_id, kind);
  if (!entry.ok()) return entry.status();
  PostNoteResponse response;
  if (entry->has_value() && (*entry)->state == LedgerEntry::State::kPosted) {
    response.set_note_id((*entry)->note_id);
    response.set_already_posted(true);
    response.set_body((*entry)->body);
    log::Info("note already posted", log_fields);
    return response;
  }

  absl::StatusOr<std::shared_ptr<HarvestApi>> client = ClientFor(connection);
  if (!client.ok()) return client.status();
  if (absl::Status status = (*client)->VerifyAuthor(); !status.ok()) return status;

  if (entry->has_value()) {
    // An earlier POST's outcome is unknown (a crash or a dropped connection after it was
    // sent): Greenhouse has no idempotency keys, so look for the note before writing it.
    absl::StatusOr<std::vector<HarvestNote>> notes = (*client)->ListNotes(request.candidate_id());
    if (!notes.ok()) return notes.status();
    const std::string marker = MarkerLine(event_id);
    const std::string headline = FirstLine((*entry)->body);
    for (const HarvestNote& note : *notes) {
      if (!HasMarker(note.body, marker) || !absl::StrContains(note.body, headline)) continue;
      if (absl::Status status = ledger_->MarkPosted(event_id, kind, note.id, note.body);
          !status.ok()) {
        return status;
      }
      response.set_note_id(note.id);
      response.set_already_posted(true);
      response.set_body(note.body);
      log_fields["note_id"] = note.id;
      log::Info("note found after an unknown outcome", log_fields);
      return response;
    }
  }

  if (absl::Status status =
          ledger_->MarkPosting(event_id, kind, connection.id(), request.candidate_id(), body);
      !status.ok()) {
    return status;
  }
  failpoint::Hit("notes.after_ledger_posting");
  absl::StatusOr<HarvestNote> note =
      (*client)->CreateNote(request.candidate_id(), body, VisibilityFor(connection));
  if (!note.ok()) {
    log_fields["error"] = std::string(note.status().message());
    log::Warn("note not posted", log_fields);
    return note.status();
  }
  failpoint::Hit("notes.after_post");
  if (absl::Status status = ledger_->MarkPosted(event_id, kind, note->id, body); !status.ok()) {
    return status;
  }
  NotesMetrics::Get().CountNoteWritten(connection.id(), kind);
  log_fields["note_id"] = note->id;
  log::Info("note posted", log_fields);
  response.set_note_id(note->id);
  response.set_body(body);
  return response;
}

}  // namespace hiresync::notes
