#include <map>
#include <set>

#include <fmt/format.h>

#include "backend/systemd_units.hpp"
#include "config/systemd_selection.hpp"
#include "discover/engine_findings.hpp"

namespace pm {
namespace {

constexpr std::string_view kServiceSuffix = ".service";

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// "getty@" for the instance "getty@tty1.service" (and the template
// "getty@.service"); "" for a unit that is neither.
std::string_view template_prefix(std::string_view unit) {
  auto at = unit.find('@');
  return at == std::string_view::npos ? std::string_view() : unit.substr(0, at + 1);
}

// The unit's name without ".service" and with systemd's "\xNN" escapes
// undone ("pm-esc\x2dname.service" -> "pm-esc-name"): the name a service
// would be given.
std::string readable_name(std::string_view unit) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // systemd-escape writes lower-case digits only
  };
  std::string_view stem = unit.substr(0, unit.size() - kServiceSuffix.size());
  std::string name;
  for (std::size_t i = 0; i < stem.size(); ++i) {
    if (stem[i] == '\\' && i + 3 < stem.size() && stem[i + 1] == 'x' && hex(stem[i + 2]) >= 0 &&
        hex(stem[i + 3]) >= 0) {
      name += static_cast<char>(hex(stem[i + 2]) * 16 + hex(stem[i + 3]));
      i += 3;
    } else {
      name += stem[i];
    }
  }
  return name;
}

Finding unit_finding(SystemdScope scope, const std::string& unit, const SystemdListedUnit* listed) {
  bool user = scope == SystemdScope::User;
  Finding finding = make_finding("systemd", readable_name(unit), user ? "user" : "systemd", {{"unit", unit}});
  if (user) finding.selector.emplace_back("scope", "user");
  if (listed == nullptr) {
    // Enabled, yet not loaded: nothing wanted it since the manager started.
    finding.state = UnitState::Stopped;
    finding.engine_state = "inactive (not loaded)";
  } else {
    SystemdUnitProperties properties;
    properties.id = listed->name;
    properties.load_state = listed->load_state;
    properties.active_state = listed->active_state;
    properties.sub_state = listed->sub_state;
    UnitStatus status = systemd_unit_status(properties, scope);
    finding.state = status.state;
    // The listing has no Result: "failed (failed)" says no more than "failed".
    finding.engine_state =
        listed->active_state == listed->sub_state ? listed->active_state : status.engine_state;
  }
  if (!is_unit_name(unit)) finding.not_monitored = "its name is not a valid unit name";
  return finding;
}

}  // namespace

std::string systemd_engine_name(SystemdScope scope) {
  return scope == SystemdScope::User ? "systemd --user" : "systemd";
}

EngineFindings systemd_findings(SystemdScope scope, const SystemdServiceListing& listing) {
  EngineFindings found = make_engine_findings(systemd_engine_name(scope), "systemd");
  std::set<std::string, std::less<>> wanted;
  std::set<std::string, std::less<>> enabled_templates;  // "getty@"
  for (const auto& file : listing.enabled_files) {
    std::string_view unit = base_name(file.path);
    if (!unit.ends_with(kServiceSuffix)) continue;
    if (unit.ends_with("@" + std::string(kServiceSuffix))) {
      enabled_templates.insert(std::string(template_prefix(unit)));
    } else {
      wanted.insert(std::string(unit));
    }
  }
  std::map<std::string, const SystemdListedUnit*, std::less<>> loaded;
  for (const auto& unit : listing.units) {
    if (!unit.name.ends_with(kServiceSuffix)) continue;
    loaded[unit.name] = &unit;
    bool failed = unit.active_state == "failed" && unit.load_state != "not-found";
    std::string_view prefix = template_prefix(unit.name);
    bool enabled_instance = !prefix.empty() && enabled_templates.contains(prefix) &&
                            !unit.name.ends_with("@" + std::string(kServiceSuffix));
    if (failed || enabled_instance) wanted.insert(unit.name);
  }
  for (const auto& unit : wanted) {
    auto it = loaded.find(unit);
    found.findings.push_back(unit_finding(scope, unit, it == loaded.end() ? nullptr : it->second));
  }
  return found;
}

}  // namespace pm
