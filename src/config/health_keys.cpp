#include "config/health_keys.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <expected>

#include <fmt/format.h>

#include "alert/redact.hpp"
#include "config/status_ranges.hpp"
#include "config/text_rules.hpp"
#include "config/url_check.hpp"

namespace pm {
namespace {

constexpr int kMaxRetries = 10;

// A CA bundle must be there when the config is read, not fail every probe
// later: an absolute path to a regular file this process can read.
std::expected<void, std::string> check_ca_file(const std::string& path) {
  if (!path.starts_with('/'))
    return std::unexpected(fmt::format("'ca_file' must be an absolute path, got {}", quoted(path)));
  struct stat status {};
  if (stat(path.c_str(), &status) != 0 || access(path.c_str(), R_OK) != 0) {
    return std::unexpected(
        fmt::format("'ca_file' {} cannot be read: {}", quoted(path), std::strerror(errno)));
  }
  if (!S_ISREG(status.st_mode))
    return std::unexpected(fmt::format("'ca_file' {} is not a file", quoted(path)));
  return {};
}

void read_headers(FieldReader& reader, const toml::table& table, HealthCheck& health) {
  // toml++ iterates keys sorted; requests send headers as written, and a
  // repeated header is reported at its second appearance.
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (auto&& [key, value] : table) entries.emplace_back(&key, &value);
  std::ranges::sort(entries, {}, [](const auto& entry) { return entry.first->source().begin; });
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<const toml::key*> keys;
  for (const auto& [key, value] : entries) {
    std::string_view name = key->str();
    if (auto valid = check_header_name(name); !valid) {
      reader.fail(key->source(), fmt::format("invalid header name {}: {}", quoted(name), valid.error()));
      continue;
    }
    auto same = std::ranges::find_if(
        keys, [&](const toml::key* other) { return equal_ignoring_case(other->str(), name); });
    if (same != keys.end()) {
      reader.fail(key->source(),
                  fmt::format("header {} is given twice (header names ignore case; the other is at line {})",
                              quoted(name), (*same)->source().begin.line));
      continue;
    }
    keys.push_back(key);
    std::string text;
    if (!reader.read_string(*value, fmt::format("headers.{}", name), text)) continue;
    if (auto valid = check_header_value(text); !valid) {
      reader.fail(value->source(),
                  fmt::format("invalid value for header {}: {}", quoted(name), valid.error()));
      continue;
    }
    headers.emplace_back(std::string(name), std::move(text));
  }
  health.headers = std::move(headers);
}

constexpr std::array<Key<HealthCheck>, 10> kHealthKeys{{
    {"url",
     [](FieldReader& reader, const toml::node& value, HealthCheck& health) {
       std::string url;
       if (!reader.read_string(value, "url", url)) return;
       if (auto valid = check_http_url(url); !valid) {
         // A health URL may carry credentials: never print them.
         reader.fail(value.source(),
                     fmt::format("invalid url {}: {}", quoted(redact_url(url)), valid.error()));
         return;
       }
       health.url = std::move(url);
     }},
    {"timeout",
     [](FieldReader& reader, const toml::node& value, HealthCheck& health) {
       reader.read_duration(value, "timeout", ZeroDuration::kRejected, health.timeout);
     }},
    {"expect_status",
     [](FieldReader& reader, const toml::node& value, HealthCheck& health) {
       if (const auto* number = value.as_integer()) {
         reader.fail(
             value.source(),
             fmt::format("'expect_status' must be a string, got integer (write \"{}\")", number->get()));
         return;
       }
       std::string text;
       if (!reader.read_string(value, "expect_status", text)) return;
       auto ranges = parse_status_ranges(text);
       if (!ranges) {
         reader.fail(value.source(), fmt::format("invalid expect_status {}: {}; write codes and ranges like "
                                                 "\"200-299,404\"",
                                                 quoted(text), ranges.error()));
         return;
       }
       health.expect_status = std::move(*ranges);
       health.expect_status_text = std::move(text);
     }},
    {"body_contains",
     [](FieldReader& reader, const toml::node& value, HealthCheck& health) {
       std::string text;
       if (reader.read_string(value, "body_contains", text)) health.body_contains = std::move(text);
     }},
    {"headers",
     [](FieldReader& reader, const toml::node& value, HealthCheck& health) {
       const auto* table =
           reader.read_table(value, "headers", "a table like { Authorization = \"Bearer x\" }");
       if (table != nullptr) read_headers(reader, *table, health);
     }},
    {"retries",
     [](FieldReader& reader, const toml::node& value, HealthCheck& health) {
       reader.read_integer(value, "retries", 0, kMaxRetries, health.retries);
     }},
    {"retry_delay",
     [](FieldReader& reader, const toml::node& value, HealthCheck& health) {
       reader.read_duration(value, "retry_delay", ZeroDuration::kAllowed, health.retry_delay);
     }},
    {"insecure", [](FieldReader& reader, const toml::node& value,
                    HealthCheck& health) { reader.read_bool(value, "insecure", health.insecure); }},
    {"ca_file",
     [](FieldReader& reader, const toml::node& value, HealthCheck& health) {
       std::string path;
       if (!reader.read_string(value, "ca_file", path)) return;
       if (auto readable = check_ca_file(path); !readable) {
         reader.fail(value.source(), readable.error());
         return;
       }
       health.ca_file = std::move(path);
     }},
    {"follow_redirects",
     [](FieldReader& reader, const toml::node& value, HealthCheck& health) {
       reader.read_bool(value, "follow_redirects", health.follow_redirects);
     }},
}};

}  // namespace

std::vector<std::string_view> health_key_names() { return names_of(kHealthKeys); }

HealthCheck read_health(FieldReader& reader, const toml::table& table) {
  HealthCheck health;
  read_keys(reader, table, "[service.health]", kHealthKeys, health);
  if (!table.contains("url")) {
    reader.fail(table.source(), "[service.health] needs a 'url' (url = \"http://localhost:3001/health\")");
  }
  return health;
}

}  // namespace pm
