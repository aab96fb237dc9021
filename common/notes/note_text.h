// The text of the activity-feed note hiresync writes on a Greenhouse candidate: what
// happened and what to do, in a recruiter's words.
#pragma once

#include <string>

#include "hiresync/v1/notes.pb.h"

namespace hiresync::notes {

// Starts the first line of every note.
inline constexpr char kNotePrefix[] = "[hiresync → GoCo]";

// The note's last line, "hiresync event <event_id>": a retry finds an already written
// note by it.
std::string MarkerLine(const std::string& event_id);

// The note body for `request`; deterministic, so a retry composes the same text.
std::string ComposeNote(const hiresync::v1::PostNoteRequest& request);

// "not_synced", "synced_with_warnings", "synced", "gave_up" (metrics label, ledger key).
std::string KindName(hiresync::v1::PostNoteRequest::Kind kind);

}  // namespace hiresync::notes
