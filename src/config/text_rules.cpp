#include "config/text_rules.hpp"

#include <fmt/format.h>

namespace pm {
namespace {

bool is_alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// RFC 9110 section 5.6.2 "tchar".
bool is_token_char(char c) {
  return is_alnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// One character of user text as a message shows it.
std::string shown(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (c == ' ') return "a space";
  if (byte >= 0x80) return "a non-ASCII character";
  if (byte < 0x20 || byte == 0x7f)
    return fmt::format("control character {}", quoted(std::string_view(&c, 1)));
  return fmt::format("'{}'", c);
}

}  // namespace

bool is_service_name_char(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '@' || c == ':' || c == '-';
}

std::expected<void, std::string> check_service_name(std::string_view name) {
  if (name.empty()) return std::unexpected("it is empty");
  if (name.size() > kMaxServiceNameLength) {
    return std::unexpected(fmt::format("it is longer than {} characters", kMaxServiceNameLength));
  }
  if (!is_alnum(name.front())) return std::unexpected("it must start with a letter or digit");
  for (char c : name) {
    if (!is_service_name_char(c)) {
      return std::unexpected(fmt::format("{} is not allowed (use letters, digits and . _ @ : -)", shown(c)));
    }
  }
  return {};
}

std::expected<void, std::string> check_header_name(std::string_view name) {
  if (name.empty()) return std::unexpected("a header name cannot be empty");
  for (char c : name) {
    if (!is_token_char(c))
      return std::unexpected(fmt::format("{} is not allowed in a header name", shown(c)));
  }
  return {};
}

std::expected<void, std::string> check_header_value(std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') {
      return std::unexpected(fmt::format("{} is not allowed in a header value", shown(c)));
    }
  }
  return {};
}

std::string quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

}  // namespace pm
