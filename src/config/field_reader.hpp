#pragma once
// Typed reads of TOML values, with problems reported as
// "file:line:col: message". The key tables of every section use it.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/toml.hpp"
#include "util/duration.hpp"

namespace pm {

// Whether zero is a meaningful value for a duration key.
enum class ZeroDuration { kAllowed, kRejected };

// No duration in a config may be longer: nothing the monitor waits for
// should take a day, and it keeps deadline arithmetic far from overflow.
inline constexpr Duration kMaxConfigDuration = std::chrono::hours(24);

// "string", "integer", "float", "boolean", "table", "array", "date", "time"
// or "date-time", as messages name TOML types.
std::string_view toml_type_name(const toml::node& node);

// Reads the values of one document and collects its problems. Of all the
// problems recorded it keeps the one that comes first in the file, so the
// report does not depend on the order in which keys happen to be read.
class FieldReader {
 public:
  // With `program_owner`, read_argv also rejects a program given by absolute
  // path that is not owned by that user or is writable by group or others
  // (file_trust.hpp): set when the monitor runs as root.
  explicit FieldReader(std::string file, std::optional<uid_t> program_owner = std::nullopt)
      : file_(std::move(file)), program_owner_(program_owner) {}

  const std::string& file() const { return file_; }
  SourceLocation location(const toml::source_position& position) const;

  // Records a problem; `message` says what is wrong and, where it helps, what
  // to do ("unknown key 'helth' in [[service]] (did you mean 'health'?)").
  void fail(const toml::source_position& where, std::string message);
  void fail(const toml::source_region& where, std::string message) { fail(where.begin, std::move(message)); }
  bool failed() const { return problem_.has_value(); }
  // The first problem in the file as "file:line:col: message"; nullopt when
  // nothing failed.
  std::optional<std::string> error() const;

  // Each read checks `node`, the value of `key` (named in messages as written
  // here: "timeout", "headers.Accept"). On success it stores the value in
  // `out` and returns true; otherwise it records a problem, leaves `out`
  // unchanged and returns false.

  // A non-empty string without NUL characters.
  bool read_string(const toml::node& node, std::string_view key, std::string& out);
  // A duration string ("5s"), at most `max`.
  bool read_duration(const toml::node& node, std::string_view key, ZeroDuration zero, Duration& out,
                     Duration max = kMaxConfigDuration);
  // true or false.
  bool read_bool(const toml::node& node, std::string_view key, bool& out);
  // A size string larger than zero ("512K", "100M", "1G"; util/size.hpp).
  bool read_size(const toml::node& node, std::string_view key, std::uint64_t& out);
  // An integer within [low, high].
  bool read_integer(const toml::node& node, std::string_view key, int low, int high, int& out);
  // A non-empty array of strings whose first element is non-empty: an argv
  // vector. No element may contain NUL. Its program checked as the
  // constructor says.
  bool read_argv(const toml::node& node, std::string_view key, std::vector<std::string>& out);
  // `node` as a table; `shape` completes "'key' must be ..." when it is not
  // ("a table ([monitor])"). Returns nullptr after recording the problem.
  const toml::table* read_table(const toml::node& node, std::string_view key, std::string_view shape);

 private:
  std::string file_;
  std::optional<uid_t> program_owner_;
  std::optional<toml::source_position> problem_at_;
  std::optional<std::string> problem_;
};

}  // namespace pm
