#include "alert/alert_event.hpp"

#include <limits.h>
#include <unistd.h>

#include <array>
#include <ctime>

#include <fmt/format.h>

namespace pm {
namespace {

// Reads as "<service> <verb>" after the host; an unknown kind is shown as it is.
std::string verb_of(std::string_view kind) {
  if (kind == kAlertBecameUnhealthy) return "became unhealthy";
  if (kind == kAlertRestarted) return "was restarted";
  if (kind == kAlertRecovered) return "recovered";
  if (kind == kAlertGaveUp) return "gave up";
  if (kind == kAlertResumed) return "resumed";
  return std::string(kind);
}

std::string one_line(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line;
}

}  // namespace

std::string local_host_name() {
  std::array<char, HOST_NAME_MAX + 1> name{};
  // POSIX leaves termination unspecified when the name is cut: the last byte stays 0.
  if (gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "unknown-host";
  return name.data();
}

std::string format_rfc3339_utc(WallTime time) {
  std::time_t seconds = WallClock::to_time_t(std::chrono::floor<std::chrono::seconds>(time));
  std::tm utc{};
  if (gmtime_r(&seconds, &utc) == nullptr) return "1970-01-01T00:00:00Z";
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec);
}

nlohmann::json to_json(const AlertEvent& event) {
  // An ordered_json would keep this order, but consumers must not rely on key order anyway.
  return nlohmann::json{{"schema_version", 1},
                        {"event", event.kind},
                        {"service", event.service},
                        {"backend", event.backend},
                        {"reason", event.reason},
                        {"host", event.host},
                        {"time", format_rfc3339_utc(event.time)}};
}

std::string summary_line(const AlertEvent& event) {
  std::string line =
      fmt::format("process-monitor on {}: {} {}", event.host, event.service, verb_of(event.kind));
  if (!event.reason.empty()) line += ": " + one_line(event.reason);
  return line;
}

}  // namespace pm
