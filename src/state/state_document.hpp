#pragma once
// The state file's content: a versioned JSON document
//   { "format": 1, "written_at": <unix seconds>, "services": { "<name>": {...} },
//     "rotation": {...}, "resources": {...} }
// Each service's object belongs to the policy module, "rotation" (optional:
// absent in files written before log rotation) to the rotate module,
// "resources" (optional: absent before the host checks) to the resources
// module; this layer keeps them opaque so each can change independently.
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pm {

// The newest format this binary reads, and the one it writes.
inline constexpr std::int64_t kStateFormat = 1;

struct StateDocument {
  // Unix seconds of the save that wrote the file; 0 for a new, empty document.
  std::int64_t written_at = 0;
  // Per service name: a JSON object (never another kind of value).
  std::map<std::string, nlohmann::json> services;
  // What log rotation remembers between runs (an object; empty when none).
  nlohmann::json rotation = nlohmann::json::object();
  // What the host checks remember between runs (an object; empty when none).
  nlohmann::json resources = nlohmann::json::object();
  // Set by load_state() when a corrupt file was moved aside: one line for the
  // caller to log as a warning. Never saved.
  std::string warning;
};

struct StateDecodeError {
  // A well-formed document whose format is newer than kStateFormat: its
  // number is in `format`. Otherwise the text is not a state document.
  bool newer_format = false;
  std::int64_t format = 0;
  std::string reason;  // e.g. "not JSON: ...", "'services' is not an object"
};

// Reads a document. Unknown top-level keys are ignored (a format may grow
// optional fields without a new number).
std::expected<StateDocument, StateDecodeError> decode_state(std::string_view text);

// The top-level "format" number of a state file's text, read without parsing
// the rest (saves check it before replacing a file); nullopt when the text
// has none before it stops being JSON.
std::optional<std::int64_t> peek_state_format(std::string_view text);

// The file text for `document`, stamped with `written_at`; ends with a newline.
std::string encode_state(const StateDocument& document, std::int64_t written_at);

}  // namespace pm
