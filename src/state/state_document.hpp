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
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "state/atomic_file.hpp"

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

// Receives a document's services one by one as they are read, so that the
// reader of a large file never holds every service's tree at once (1.2 MB
// at 1000 services, the heap peak of a run; massif).
class ServiceSink {
 public:
  virtual ~ServiceSink() = default;
  // A service's payload (an object). A name given twice: the later one counts.
  virtual void take(const std::string& name, nlohmann::json&& payload) = 0;
  // The document turned out not to be readable: forget every service taken.
  virtual void drop_all() = 0;
};

// As above, each service given to `sink` instead of kept in `services`
// (which stays empty). On an error the sink has been told to drop them all.
std::expected<StateDocument, StateDecodeError> decode_state(std::string_view text, ServiceSink& sink);

// The top-level "format" number of a state file's text, read without parsing
// the rest (saves check it before replacing a file); nullopt when the text
// has none before it stops being JSON.
std::optional<std::int64_t> peek_state_format(std::string_view text);
std::optional<std::int64_t> peek_state_format(std::istream& text);

// A document to write, read part by part as it is written: the caller need
// not build every service's tree, nor the text, at once (together 2.6 MB of a
// 5.8 MB heap peak at 1000 services, massif).
class StateSource {
 public:
  using ServiceVisitor = std::function<bool(const std::string& name, const nlohmann::json& payload)>;
  virtual ~StateSource() = default;
  virtual const nlohmann::json& resources() const = 0;  // an object; empty: not written
  virtual const nlohmann::json& rotation() const = 0;   // an object; empty: not written
  // Calls `visit` for each service (payload: an object), names in ascending
  // byte order, without repeats; stops, returning false, when `visit` does.
  virtual bool each_service(const ServiceVisitor& visit) const = 0;
};

// A whole StateDocument as a StateSource.
class DocumentSource : public StateSource {
 public:
  explicit DocumentSource(const StateDocument& document) : document_(document) {}
  const nlohmann::json& resources() const override { return document_.resources; }
  const nlohmann::json& rotation() const override { return document_.rotation; }
  bool each_service(const ServiceVisitor& visit) const override;

 private:
  const StateDocument& document_;
};

// The file text of `source`, stamped with `written_at`, given to `sink` in
// pieces of about 64 KiB; ends with a newline. False when the sink refused a
// piece (the text is then incomplete).
bool write_state(const StateSource& source, std::int64_t written_at, const TextSink& sink);

// The file text for `document`, stamped with `written_at`; ends with a newline.
std::string encode_state(const StateDocument& document, std::int64_t written_at);

}  // namespace pm
