#pragma once
// Loading and saving the state file. Call both while holding the RunLock for
// the same path (run_lock.hpp): they assume no other writer.
#include <expected>
#include <string>

#include "state/state_document.hpp"

namespace pm {

struct StateError {
  enum Kind {
    NewerFormat,  // written by a newer process-monitor: refused and left untouched
    Unreadable,   // cannot be read (permission, I/O error, not a regular file): left untouched
    Corrupt,      // peek_state only: not a state document (load_state moves such a file aside)
  };
  Kind kind;
  std::string message;  // names the file, the cause and what to do
};

// The document in `path`.
// - missing file (or missing directory): an empty document;
// - corrupt content (not JSON, truncated, wrong shape, empty, oversized): the
//   file is renamed to `<path>.corrupt-<UTC yyyymmddThhmmssZ>[-N]` and an
//   empty document is returned with `warning` set; the run continues;
// - a format newer than kStateFormat: NewerFormat, the file is not touched;
// - the file cannot be read at all: Unreadable.
// With `sink`, the services go to it as they are read (decode_state); the
// document's `services` stay empty, and on any outcome but a document read
// from the file the sink holds none.
std::expected<StateDocument, StateError> load_state(const std::string& path, ServiceSink* sink = nullptr);

// The document in `path`, read only and without the lock: saves replace the
// file by rename, so a reader sees one whole file. As load_state, except that
// a corrupt file is reported (Corrupt, naming the cause) and left where it
// is: moving it aside is for the run that holds the lock.
std::expected<StateDocument, StateError> peek_state(const std::string& path);

// Atomically replaces `path` with `document`, stamped with the current time:
// a temporary file in the same directory is written, fsynced, renamed over
// `path`, and the directory is fsynced. On failure `path` keeps its previous
// content, no temporary file is left, and the message names the path and the
// cause. Refuses to replace a file of a newer format (see load_state). The
// text goes to the file as it is made: neither it nor the whole document
// need be in memory at once.
std::expected<void, std::string> save_state(const std::string& path, const StateSource& source);
std::expected<void, std::string> save_state(const std::string& path, const StateDocument& document);

}  // namespace pm
