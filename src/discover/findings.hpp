#pragma once
// What discovery found: per engine, the things a [[service]] could monitor,
// as plain data. Built from the engines' own answers by the *_findings
// functions (pure: tests feed them recorded answers), written out as a config
// by render_discovered_config (config_toml.hpp).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backend/unit_status.hpp"

namespace pm {

// One thing an engine runs.
struct Finding {
  std::string backend;    // "pm2", "docker", "systemd"
  std::string name;       // the service name wanted, before sanitizing: "api", "sar-api", "nginx"
  std::string qualifier;  // put before the name when another finding wants the same: "docker", "user"
  // The keys that select it, values unquoted: {"target", "api"}, {"container", "web"},
  // {"compose_project", "sar"}, {"compose_service", "api"}, {"unit", "nginx.service"}, {"scope", "user"}.
  std::vector<std::pair<std::string, std::string>> selector;
  UnitState state = UnitState::Running;  // when discovered; Stopped ones get expect = "any"
  std::string engine_state;              // the engine's words: "online", "running (healthy)"
  std::vector<std::string> notes;        // comment lines written above it
  // Set: it cannot be monitored (a name no config key can hold); written as a comment saying why.
  std::string not_monitored;
};

// A key of an engine's table ([pm2] home), so the config reaches the engine
// discovery asked.
struct EngineSetting {
  std::string key;
  std::string value;  // a string, or "true"/"false" when `boolean`
  bool boolean = false;
};

// One engine (a systemd manager counts as one) and what it answered.
struct EngineFindings {
  std::string engine;                      // "pm2", "docker", "systemd", "systemd --user"
  std::string table;                       // its config table: "pm2", "docker", "systemd"
  std::optional<std::string> unreachable;  // set: why it could not be asked; nothing else is
  std::vector<EngineSetting> settings;
  std::vector<Finding> findings;
  std::vector<std::string> notes;  // comment lines about the engine: what was skipped and why
};

// A finding with the given identity; state Running, no notes.
inline Finding make_finding(std::string backend, std::string name, std::string qualifier,
                            std::vector<std::pair<std::string, std::string>> selector) {
  Finding finding;
  finding.backend = std::move(backend);
  finding.name = std::move(name);
  finding.qualifier = std::move(qualifier);
  finding.selector = std::move(selector);
  return finding;
}

// An engine's findings, empty; with `unreachable`, one that could not be asked.
inline EngineFindings make_engine_findings(std::string engine, std::string table,
                                           std::optional<std::string> unreachable = std::nullopt) {
  EngineFindings found;
  found.engine = std::move(engine);
  found.table = std::move(table);
  found.unreachable = std::move(unreachable);
  return found;
}

}  // namespace pm
