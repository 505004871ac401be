#include "config/alert_keys.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "alert/alert_event.hpp"
#include "config/suggest.hpp"
#include "config/text_rules.hpp"
#include "config/url_check.hpp"

namespace pm {
namespace {

constexpr std::array<std::string_view, 8> kAlertKeys{"webhook", "exec",    "format",  "headers",
                                                     "events",  "timeout", "retries", "retry_delay"};
constexpr int kMaxAlertRetries = 5;

void read_events(FieldReader& reader, const toml::node& value, AlertChannelConfig& alert) {
  const auto* array = value.as_array();
  if (array == nullptr) {
    reader.fail(value.source(),
                fmt::format("'events' must be a list like [\"gave-up\", \"recovered\"], got {}",
                            toml_type_name(value)));
    return;
  }
  for (const auto& element : *array) {
    std::string kind;
    if (!reader.read_string(element, "events", kind)) return;
    if (std::ranges::find(kAlertKinds, kind) == kAlertKinds.end()) {
      auto match = closest_match(kind, kAlertKinds);
      reader.fail(element.source(), fmt::format("unknown event {}{}; events are {}", pm::quoted(kind),
                                                match ? fmt::format(" (did you mean '{}'?)", *match) : "",
                                                fmt::join(kAlertKinds, ", ")));
      return;
    }
    alert.events.push_back(std::move(kind));
  }
}

void read_headers(FieldReader& reader, const toml::node& value, AlertChannelConfig& alert) {
  const auto* table = reader.read_table(value, "headers", "a table like { Authorization = \"Bearer x\" }");
  if (table == nullptr) return;
  for (auto&& [key, header] : *table) {
    if (auto valid = check_header_name(key.str()); !valid) {
      reader.fail(key.source(),
                  fmt::format("invalid header name {}: {}", pm::quoted(key.str()), valid.error()));
      return;
    }
    std::string text;
    if (!reader.read_string(header, fmt::format("headers.{}", key.str()), text)) return;
    if (auto valid = check_header_value(text); !valid) {
      reader.fail(header.source(),
                  fmt::format("invalid value for header {}: {}", pm::quoted(key.str()), valid.error()));
      return;
    }
    alert.headers.emplace_back(std::string(key.str()), std::move(text));
  }
}

}  // namespace

AlertChannelConfig read_alert(FieldReader& reader, const toml::table& table) {
  AlertChannelConfig alert;
  bool has_webhook = false;
  bool has_exec = false;
  for (auto&& [key, value] : table) {
    std::string_view name = key.str();
    if (name == "webhook") {
      has_webhook = true;  // even when invalid: that is the error to report
      std::string url;
      if (!reader.read_string(value, "webhook", url)) continue;
      if (auto valid = check_http_url(url); !valid) {
        reader.fail(value.source(), fmt::format("invalid webhook url: {}", valid.error()));
        continue;
      }
      alert.kind = AlertChannelConfig::Webhook;
      alert.url = std::move(url);
    } else if (name == "exec") {
      has_exec = true;
      if (reader.read_argv(value, "exec", alert.argv)) alert.kind = AlertChannelConfig::Exec;
    } else if (name == "format") {
      std::string format;
      if (!reader.read_string(value, "format", format)) continue;
      if (format != "json" && format != "slack") {
        reader.fail(value.source(),
                    fmt::format("'format' must be \"json\" or \"slack\", got {}", pm::quoted(format)));
        continue;
      }
      alert.format = std::move(format);
    } else if (name == "headers") {
      read_headers(reader, value, alert);
    } else if (name == "events") {
      read_events(reader, value, alert);
    } else if (name == "timeout") {
      reader.read_duration(value, "timeout", ZeroDuration::kRejected, alert.timeout);
    } else if (name == "retries") {
      reader.read_integer(value, "retries", 0, kMaxAlertRetries, alert.retries);
    } else if (name == "retry_delay") {
      reader.read_duration(value, "retry_delay", ZeroDuration::kAllowed, alert.retry_delay);
    } else {
      auto match = closest_match(name, kAlertKeys);
      reader.fail(key.source(),
                  fmt::format("unknown key '{}' in [[alert]]{}", name,
                              match ? fmt::format(" (did you mean '{}'?)", *match)
                                    : fmt::format(" (known keys: {})", fmt::join(kAlertKeys, ", "))));
    }
  }
  if (has_webhook == has_exec) {
    reader.fail(table.source(), "[[alert]] needs exactly one of 'webhook' (a URL) or 'exec' (an argv list)");
  }
  return alert;
}

}  // namespace pm
