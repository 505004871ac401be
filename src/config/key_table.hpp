#pragma once
// The config schema: for each section, the one table of the keys it accepts
// and the typed parser of each. Anything not in a table is rejected as an
// unknown key, with a suggestion.
#include <optional>
#include <vector>

#include "config/config.hpp"
#include "config/field_reader.hpp"
#include "config/policy_keys.hpp"
#include "config/toml.hpp"

namespace pm {

// A [[service]] as read, plus where the values that later checks point at
// were written.
struct ServiceDraft {
  ServiceConfig config;
  toml::source_position header;  // the [[service]] table itself
  std::optional<toml::source_position> name_at;
  std::optional<toml::source_position> target_at;  // unset: target defaulted to the name
  std::optional<toml::source_position> restart_timeout_at;
  std::optional<toml::source_position> verify_timeout_at;
  std::optional<toml::source_position> backend_at;
  std::optional<toml::source_position> health_at;
  std::optional<toml::source_position> limits_at;
  // Docker's container selection, as written; docker_selection.hpp turns it
  // into config.target.
  struct Written {
    std::string text;
    toml::source_position at;
  };
  std::optional<Written> container, label, compose_project, compose_service, stop_timeout;
  // systemd's unit and manager, as written; systemd_selection.hpp.
  std::optional<Written> unit, scope;
  PolicyOverrides policy;  // the service's own policy keys
};

// A document as read: every value typed and checked on its own; rules that
// span values are cross_checks.hpp's.
struct ConfigDraft {
  MonitorSettings monitor;
  std::optional<toml::source_position> deadline_at;
  Pm2Settings pm2;
  DockerSettings docker;
  SystemdSettings systemd;
  std::optional<ServiceDraft::Written> systemd_scope;  // [systemd] scope
  PolicyOverrides defaults;                            // [defaults]
  std::vector<AlertChannelConfig> alerts;              // [[alert]]
  std::vector<LogGroupConfig> logs;                    // [[logs]]
  ResourceSettings resources;                          // [resources]
  std::vector<ServiceDraft> services;
  std::optional<toml::source_position> services_at;  // the 'service' value, if the key exists
};

// Reads `root` by the key tables. Problems (unknown keys, wrong types, bad
// values, missing required keys) are recorded on `reader`; the draft holds
// defaults where a value was missing or bad.
ConfigDraft read_document(FieldReader& reader, const toml::table& root);

}  // namespace pm
