#include "config/field_reader.hpp"

#include <fmt/format.h>

#include "config/file_trust.hpp"
#include "util/size.hpp"

namespace pm {

std::string_view toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

SourceLocation FieldReader::location(const toml::source_position& position) const {
  return SourceLocation{file_, static_cast<int>(position.line), static_cast<int>(position.column)};
}

void FieldReader::fail(const toml::source_position& where, std::string message) {
  // Ties keep the first: a later check at the same place is usually a
  // consequence of the first problem.
  if (problem_at_ && !(where < *problem_at_)) return;
  problem_at_ = where;
  problem_ = std::move(message);
}

std::optional<std::string> FieldReader::error() const {
  if (!problem_) return std::nullopt;
  return fmt::format("{}: {}", location(*problem_at_).str(), *problem_);
}

bool FieldReader::read_bool(const toml::node& node, std::string_view key, bool& out) {
  const auto* value = node.as_boolean();
  if (value == nullptr) {
    fail(node.source(), fmt::format("'{}' must be true or false, got {}", key, toml_type_name(node)));
    return false;
  }
  out = value->get();
  return true;
}

bool FieldReader::read_string(const toml::node& node, std::string_view key, std::string& out) {
  const auto* value = node.as_string();
  if (value == nullptr) {
    fail(node.source(), fmt::format("'{}' must be a string, got {}", key, toml_type_name(node)));
    return false;
  }
  const std::string& text = value->get();
  if (text.empty()) {
    fail(node.source(), fmt::format("'{}' must not be empty", key));
    return false;
  }
  // The strings reach C APIs (exec, libcurl) that would silently cut them.
  if (text.find('\0') != std::string::npos) {
    fail(node.source(), fmt::format("'{}' contains a NUL character", key));
    return false;
  }
  out = text;
  return true;
}

bool FieldReader::read_duration(const toml::node& node, std::string_view key, ZeroDuration zero,
                                Duration& out, Duration max) {
  const auto* value = node.as_string();
  if (value == nullptr) {
    // The current value is the key's default: the best example there is.
    fail(node.source(), fmt::format("'{}' must be a duration string like \"{}\", got {}", key,
                                    format_duration(out), toml_type_name(node)));
    return false;
  }
  auto parsed = parse_duration(value->get());
  if (!parsed) {
    fail(node.source(), fmt::format("'{}': {}", key, parsed.error()));
    return false;
  }
  if (zero == ZeroDuration::kRejected && *parsed == Duration::zero()) {
    fail(node.source(), fmt::format("'{}' must be longer than zero", key));
    return false;
  }
  if (*parsed > max) {
    fail(node.source(),
         fmt::format("'{}' must be at most {}, got {}", key, format_duration(max), format_duration(*parsed)));
    return false;
  }
  out = *parsed;
  return true;
}

bool FieldReader::read_size(const toml::node& node, std::string_view key, std::uint64_t& out) {
  std::string text;
  if (!read_string(node, key, text)) return false;
  auto size = parse_size(text);
  if (!size) {
    fail(node.source(), fmt::format("'{}': {}", key, size.error()));
    return false;
  }
  if (*size == 0) {
    fail(node.source(), fmt::format("'{}' must be larger than zero", key));
    return false;
  }
  out = *size;
  return true;
}

bool FieldReader::read_integer(const toml::node& node, std::string_view key, int low, int high, int& out) {
  const auto* value = node.as_integer();
  if (value == nullptr) {
    fail(node.source(),
         fmt::format("'{}' must be an integer from {} to {}, got {}", key, low, high, toml_type_name(node)));
    return false;
  }
  std::int64_t number = value->get();
  if (number < low || number > high) {
    fail(node.source(), fmt::format("'{}' must be from {} to {}, got {}", key, low, high, number));
    return false;
  }
  out = static_cast<int>(number);
  return true;
}

bool FieldReader::read_argv(const toml::node& node, std::string_view key, std::vector<std::string>& out) {
  const auto* array = node.as_array();
  if (array == nullptr) {
    // A string is the likely mistake; say why it is not accepted.
    std::string_view why = node.is_string() ? " (it runs without a shell: split the command into words)" : "";
    fail(node.source(),
         fmt::format("'{}' must be an array of strings like [\"systemctl\", \"restart\", \"api\"], "
                     "got {}{}",
                     key, toml_type_name(node), why));
    return false;
  }
  if (array->empty()) {
    fail(node.source(),
         fmt::format("'{}' is empty; give the program and its arguments, or leave the key out", key));
    return false;
  }
  std::vector<std::string> argv;
  bool ok = true;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    const auto* text = element.as_string();
    if (text == nullptr) {
      fail(element.source(),
           fmt::format("'{}[{}]' must be a string, got {}", key, i, toml_type_name(element)));
      ok = false;
    } else if (i == 0 && text->get().empty()) {
      fail(element.source(), fmt::format("'{}[0]' (the program to run) must not be empty", key));
      ok = false;
    } else if (text->get().find('\0') != std::string::npos) {
      fail(element.source(), fmt::format("'{}[{}]' contains a NUL character", key, i));
      ok = false;
    } else {
      argv.push_back(text->get());
    }
  }
  if (!ok) return false;
  // A program given by path runs as whoever runs the monitor: as root it
  // must be as trusted as the config itself (file_trust.hpp).
  if (program_owner_ && argv.front().starts_with('/')) {
    if (auto trusted = check_trusted_path(argv.front(), *program_owner_); !trusted) {
      fail(array->get(0)->source(), fmt::format("'{}[0]': {}", key, trusted.error()));
      return false;
    }
  }
  out = std::move(argv);
  return true;
}

const toml::table* FieldReader::read_table(const toml::node& node, std::string_view key,
                                           std::string_view shape) {
  const auto* table = node.as_table();
  if (table == nullptr)
    fail(node.source(), fmt::format("'{}' must be {}, got {}", key, shape, toml_type_name(node)));
  return table;
}

}  // namespace pm
