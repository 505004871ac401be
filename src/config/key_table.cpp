#include "config/key_table.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config/alert_keys.hpp"
#include "config/docker_selection.hpp"
#include "config/health_keys.hpp"
#include "config/key_reader.hpp"
#include "config/limit_keys.hpp"
#include "config/log_keys.hpp"
#include "config/reopen_keys.hpp"
#include "config/resource_keys.hpp"
#include "config/suggest.hpp"
#include "config/systemd_selection.hpp"
#include "config/text_rules.hpp"

namespace pm {
namespace {

// ---- [[service]] -----------------------------------------------------------

constexpr std::array<std::string_view, 5> kBackends{"pm2", "docker", "systemd", "none", "auto"};
constexpr std::array<std::string_view, 3> kExpectValues{"running", "any", "stopped"};

// Reads a name-like value (name, target) and applies the name rules.
bool read_name(FieldReader& reader, const toml::node& value, std::string_view key, std::string& out) {
  std::string text;
  if (!reader.read_string(value, key, text)) return false;
  if (auto valid = check_service_name(text); !valid) {
    reader.fail(value.source(), fmt::format("invalid {} {}: {}", key, quoted(text), valid.error()));
    return false;
  }
  out = std::move(text);
  return true;
}

// Keeps a string value and where it was written, for checks that need the
// other keys of the service (docker_selection.cpp).
void read_written(FieldReader& reader, const toml::node& value, std::string_view key,
                  std::optional<ServiceDraft::Written>& out) {
  std::string text;
  if (reader.read_string(value, key, text))
    out = ServiceDraft::Written{std::move(text), value.source().begin};
}

// The policy keys, in both [defaults] and [[service]] (policy_keys.hpp).
#define PM_POLICY_KEY(Target, member, key)                                  \
  {                                                                         \
    key, [](FieldReader& reader, const toml::node& value, Target& target) { \
      read_policy_key(reader, key, value, target.member);                   \
    }                                                                       \
  }

constexpr std::array<Key<ServiceDraft>, 22> kServiceKeys{{
    PM_POLICY_KEY(ServiceDraft, policy, "confirm"),
    PM_POLICY_KEY(ServiceDraft, policy, "grace"),
    PM_POLICY_KEY(ServiceDraft, policy, "backoff"),
    PM_POLICY_KEY(ServiceDraft, policy, "backoff_max"),
    PM_POLICY_KEY(ServiceDraft, policy, "backoff_reset_after"),
    PM_POLICY_KEY(ServiceDraft, policy, "restart_budget"),
    {"name",
     [](FieldReader& reader, const toml::node& value, ServiceDraft& service) {
       if (read_name(reader, value, "name", service.config.name)) service.name_at = value.source().begin;
     }},
    {"backend",
     [](FieldReader& reader, const toml::node& value, ServiceDraft& service) {
       std::string backend;
       if (!reader.read_string(value, "backend", backend)) return;
       if (is_one_of(backend, kBackends)) {
         service.config.backend = std::move(backend);
         service.backend_at = value.source().begin;
       } else {
         reader.fail(value.source(),
                     fmt::format("unknown backend {}{}; use \"pm2\", \"docker\", \"systemd\", \"none\" or "
                                 "\"auto\"",
                                 quoted(backend), did_you_mean(backend, kBackends)));
       }
     }},
    {"target",
     [](FieldReader& reader, const toml::node& value, ServiceDraft& service) {
       if (read_name(reader, value, "target", service.config.target))
         service.target_at = value.source().begin;
     }},
    {"expect",
     [](FieldReader& reader, const toml::node& value, ServiceDraft& service) {
       std::string expect;
       if (!reader.read_string(value, "expect", expect)) return;
       if (expect == "running") {
         service.config.expect = Expect::Running;
       } else if (expect == "any") {
         service.config.expect = Expect::Any;
       } else if (expect == "stopped") {
         service.config.expect = Expect::Stopped;
       } else {
         reader.fail(value.source(),
                     fmt::format("'expect' must be \"running\", \"any\" or \"stopped\", got {}{}",
                                 quoted(expect), did_you_mean(expect, kExpectValues)));
       }
     }},
    {"restart_command",
     [](FieldReader& reader, const toml::node& value, ServiceDraft& service) {
       reader.read_argv(value, "restart_command", service.config.restart_command);
     }},
    {"restart_timeout",
     [](FieldReader& reader, const toml::node& value, ServiceDraft& service) {
       if (reader.read_duration(value, "restart_timeout", ZeroDuration::kRejected,
                                service.config.restart_timeout)) {
         service.restart_timeout_at = value.source().begin;
       }
     }},
    {"verify_timeout",
     [](FieldReader& reader, const toml::node& value, ServiceDraft& service) {
       if (reader.read_duration(value, "verify_timeout", ZeroDuration::kRejected,
                                service.config.verify_timeout)) {
         service.verify_timeout_at = value.source().begin;
       }
     }},
    {"health",
     [](FieldReader& reader, const toml::node& value, ServiceDraft& service) {
       const auto* table = reader.read_table(value, "health", "a table ([service.health])");
       if (table != nullptr) service.config.health = read_health(reader, *table);
       service.health_at = value.source().begin;
     }},
    {"limits",
     [](FieldReader& reader, const toml::node& value, ServiceDraft& service) {
       const auto* table = reader.read_table(value, "limits", "a table ([service.limits])");
       if (table != nullptr) service.config.limits = read_limits(reader, *table);
       service.limits_at = value.source().begin;
     }},
    {"container", [](FieldReader& reader, const toml::node& value,
                     ServiceDraft& service) { read_written(reader, value, "container", service.container); }},
    {"label", [](FieldReader& reader, const toml::node& value,
                 ServiceDraft& service) { read_written(reader, value, "label", service.label); }},
    {"compose_project",
     [](FieldReader& reader, const toml::node& value, ServiceDraft& service) {
       read_written(reader, value, "compose_project", service.compose_project);
     }},
    {"compose_service",
     [](FieldReader& reader, const toml::node& value, ServiceDraft& service) {
       read_written(reader, value, "compose_service", service.compose_service);
     }},
    {"unit", [](FieldReader& reader, const toml::node& value,
                ServiceDraft& service) { read_written(reader, value, "unit", service.unit); }},
    {"scope", [](FieldReader& reader, const toml::node& value,
                 ServiceDraft& service) { read_written(reader, value, "scope", service.scope); }},
    {"stop_timeout",
     [](FieldReader& reader, const toml::node& value, ServiceDraft& service) {
       if (reader.read_duration(value, "stop_timeout", ZeroDuration::kAllowed, service.config.stop_timeout)) {
         service.stop_timeout = ServiceDraft::Written{"", value.source().begin};
       }
     }},
}};

ServiceDraft read_service(FieldReader& reader, const toml::table& table) {
  ServiceDraft service;
  service.header = table.source().begin;
  service.config.where = reader.location(table.source().begin);
  read_keys(reader, table, "[[service]]", kServiceKeys, service);
  if (!table.contains("name")) {
    reader.fail(table.source(), "[[service]] needs a 'name' (name = \"backend-api\")");
  }
  if (!table.contains("backend")) {
    reader.fail(table.source(),
                "[[service]] needs a 'backend': \"pm2\", \"docker\", \"systemd\", \"none\" or \"auto\"");
  }
  if (service.config.target.empty()) service.config.target = service.config.name;
  resolve_docker_selection(reader, service);
  return service;
}

// ---- [monitor], [pm2] and the top level ------------------------------------

constexpr std::array<Key<ConfigDraft>, 6> kDefaultsKeys{{
    PM_POLICY_KEY(ConfigDraft, defaults, "confirm"),
    PM_POLICY_KEY(ConfigDraft, defaults, "grace"),
    PM_POLICY_KEY(ConfigDraft, defaults, "backoff"),
    PM_POLICY_KEY(ConfigDraft, defaults, "backoff_max"),
    PM_POLICY_KEY(ConfigDraft, defaults, "backoff_reset_after"),
    PM_POLICY_KEY(ConfigDraft, defaults, "restart_budget"),
}};
#undef PM_POLICY_KEY

constexpr std::array<Key<ConfigDraft>, 5> kMonitorKeys{{
    {"state_dir",
     [](FieldReader& reader, const toml::node& value, ConfigDraft& draft) {
       std::string dir;
       if (!reader.read_string(value, "state_dir", dir)) return;
       if (!dir.starts_with('/')) {
         reader.fail(value.source(),
                     fmt::format("'state_dir' must be an absolute path, got {}", quoted(dir)));
         return;
       }
       draft.monitor.state_dir = std::move(dir);
     }},
    {"deadline",
     [](FieldReader& reader, const toml::node& value, ConfigDraft& draft) {
       if (reader.read_duration(value, "deadline", ZeroDuration::kRejected, draft.monitor.deadline)) {
         draft.deadline_at = value.source().begin;
       }
     }},
    {"verify_interval",
     [](FieldReader& reader, const toml::node& value, ConfigDraft& draft) {
       reader.read_duration(value, "verify_interval", ZeroDuration::kRejected, draft.monitor.verify_interval);
     }},
    {"log_max_size",
     [](FieldReader& reader, const toml::node& value, ConfigDraft& draft) {
       reader.read_size(value, "log_max_size", draft.monitor.log_max_size);
     }},
    {"log_keep",
     [](FieldReader& reader, const toml::node& value, ConfigDraft& draft) {
       reader.read_integer(value, "log_keep", 0, 1000, draft.monitor.log_keep);
     }},
}};

constexpr std::array<Key<Pm2Settings>, 3> kPm2Keys{{
    {"binary", [](FieldReader& reader, const toml::node& value,
                  Pm2Settings& pm2) { reader.read_string(value, "binary", pm2.binary); }},
    {"home",
     [](FieldReader& reader, const toml::node& value, Pm2Settings& pm2) {
       // Nothing expands "~" or resolves a relative path against a known
       // directory here: the monitor's working directory is an accident.
       std::string home;
       if (!reader.read_string(value, "home", home)) return;
       if (!home.starts_with('/')) {
         reader.fail(
             value.source(),
             fmt::format("'home' must be an absolute path (~ is not expanded), got {}", quoted(home)));
         return;
       }
       pm2.home = std::move(home);
     }},
    {"timeout",
     [](FieldReader& reader, const toml::node& value, Pm2Settings& pm2) {
       reader.read_duration(value, "timeout", ZeroDuration::kRejected, pm2.timeout);
     }},
}};

constexpr std::array<Key<DockerSettings>, 4> kDockerKeys{{
    {"host",
     [](FieldReader& reader, const toml::node& value, DockerSettings& docker) {
       std::string host;
       if (reader.read_string(value, "host", host)) docker.host = std::move(host);
     }},
    {"tls_verify",
     [](FieldReader& reader, const toml::node& value, DockerSettings& docker) {
       bool verify = false;
       if (reader.read_bool(value, "tls_verify", verify)) docker.tls_verify = verify;
     }},
    {"cert_path",
     [](FieldReader& reader, const toml::node& value, DockerSettings& docker) {
       std::string path;
       if (!reader.read_string(value, "cert_path", path)) return;
       if (!path.starts_with('/')) {
         reader.fail(value.source(),
                     fmt::format("'cert_path' must be an absolute path, got {}", quoted(path)));
         return;
       }
       docker.cert_path = std::move(path);
     }},
    {"timeout",
     [](FieldReader& reader, const toml::node& value, DockerSettings& docker) {
       reader.read_duration(value, "timeout", ZeroDuration::kRejected, docker.timeout);
     }},
}};

constexpr std::array<Key<ConfigDraft>, 2> kSystemdKeys{{
    {"scope",
     [](FieldReader& reader, const toml::node& value, ConfigDraft& draft) {
       std::string scope;
       if (reader.read_string(value, "scope", scope))
         draft.systemd_scope = ServiceDraft::Written{scope, value.source().begin};
     }},
    {"timeout",
     [](FieldReader& reader, const toml::node& value, ConfigDraft& draft) {
       reader.read_duration(value, "timeout", ZeroDuration::kRejected, draft.systemd.timeout);
     }},
}};

constexpr std::array<Key<ConfigDraft>, 9> kTopKeys{{
    {"logs", [](FieldReader& reader, const toml::node& value,
                ConfigDraft& draft) { draft.logs = read_log_groups(reader, value); }},
    {"resources", [](FieldReader& reader, const toml::node& value,
                     ConfigDraft& draft) { draft.resources = read_resources(reader, value); }},
    {"alert",
     [](FieldReader& reader, const toml::node& value, ConfigDraft& draft) {
       const auto* array = value.as_array();
       if (array == nullptr) {
         reader.fail(value.source(),
                     fmt::format("'alert' must be an array of tables, got {}; write [[alert]] "
                                 "(double brackets) above each alert channel",
                                 toml_type_name(value)));
         return;
       }
       for (const auto& element : *array) {
         if (const auto* table = element.as_table()) {
           draft.alerts.push_back(read_alert(reader, *table));
         } else {
           reader.fail(element.source(),
                       fmt::format("each 'alert' must be a table, got {}", toml_type_name(element)));
         }
       }
     }},
    {"defaults",
     [](FieldReader& reader, const toml::node& value, ConfigDraft& draft) {
       const auto* table = reader.read_table(value, "defaults", "a table ([defaults])");
       if (table != nullptr) read_keys(reader, *table, "[defaults]", kDefaultsKeys, draft);
     }},
    {"monitor",
     [](FieldReader& reader, const toml::node& value, ConfigDraft& draft) {
       const auto* table = reader.read_table(value, "monitor", "a table ([monitor])");
       if (table != nullptr) read_keys(reader, *table, "[monitor]", kMonitorKeys, draft);
     }},
    {"pm2",
     [](FieldReader& reader, const toml::node& value, ConfigDraft& draft) {
       const auto* table = reader.read_table(value, "pm2", "a table ([pm2])");
       if (table != nullptr) read_keys(reader, *table, "[pm2]", kPm2Keys, draft.pm2);
     }},
    {"docker",
     [](FieldReader& reader, const toml::node& value, ConfigDraft& draft) {
       const auto* table = reader.read_table(value, "docker", "a table ([docker])");
       if (table != nullptr) read_keys(reader, *table, "[docker]", kDockerKeys, draft.docker);
     }},
    {"systemd",
     [](FieldReader& reader, const toml::node& value, ConfigDraft& draft) {
       const auto* table = reader.read_table(value, "systemd", "a table ([systemd])");
       if (table != nullptr) read_keys(reader, *table, "[systemd]", kSystemdKeys, draft);
     }},
    {"service",
     [](FieldReader& reader, const toml::node& value, ConfigDraft& draft) {
       draft.services_at = value.source().begin;
       const auto* array = value.as_array();
       if (array == nullptr) {
         reader.fail(
             value.source(),
             fmt::format("'service' must be an array of tables, got {}; write [[service]] (double brackets) "
                         "above each service",
                         toml_type_name(value)));
         return;
       }
       draft.services.reserve(array->size());  // not grown by doubling: 1.5 MB at 1000 services
       for (std::size_t i = 0; i < array->size(); ++i) {
         const toml::node& element = *array->get(i);
         const auto* table = element.as_table();
         if (table == nullptr) {
           reader.fail(element.source(),
                       fmt::format("'service[{}]' must be a table, got {}", i, toml_type_name(element)));
           continue;
         }
         draft.services.push_back(read_service(reader, *table));
       }
     }},
}};

}  // namespace

std::string unknown_key_message(std::string_view key, std::string_view section) {
  const std::array<std::pair<std::string_view, std::vector<std::string_view>>, 13> sections{{
      {"", names_of(kTopKeys)},
      {"[monitor]", names_of(kMonitorKeys)},
      {"[pm2]", names_of(kPm2Keys)},
      {"[[service]]", names_of(kServiceKeys)},
      {"[service.health]", health_key_names()},
      {"[service.limits]", limit_key_names()},
      {"[docker]", names_of(kDockerKeys)},
      {"[systemd]", names_of(kSystemdKeys)},
      {"[defaults]", names_of(kDefaultsKeys)},
      {"[[logs]]", log_key_names()},
      {"[logs.reopen]", reopen_key_names()},
      {"[resources]", resource_key_names()},
      {"[[resources.disk]]", disk_key_names()},
  }};
  const auto& own =
      std::ranges::find(sections, section, [](const auto& entry) { return entry.first; })->second;
  std::string message = section.empty() ? fmt::format("unknown key '{}' at the top level", key)
                                        : fmt::format("unknown key '{}' in {}", key, section);
  if (auto match = closest_match(key, own)) return message + fmt::format(" (did you mean '{}'?)", *match);

  // A key of [[service]] written below [service.health] lands in the health
  // table: TOML has no way back to the enclosing table after a sub-table.
  if ((section == "[service.health]" || section == "[service.limits]") &&
      is_one_of(key, sections[3].second)) {
    return message + fmt::format(
                         " ('{}' is a [[service]] key: keys after a {} header belong to it, "
                         "so move this one above that header)",
                         key, section);
  }
  std::vector<std::string_view> owners;
  for (const auto& [other, keys] : sections) {
    if (!other.empty() && other != section && is_one_of(key, keys)) owners.push_back(other);
  }
  if (!owners.empty()) return message + fmt::format(" ('{}' belongs in {})", key, fmt::join(owners, " or "));
  return message + fmt::format(" (known keys: {})", fmt::join(own, ", "));
}

ConfigDraft read_document(FieldReader& reader, const toml::table& root) {
  ConfigDraft draft;
  read_keys(reader, root, "", kTopKeys, draft);
  // After the whole document: [systemd] scope is the default of services
  // that may be written before it.
  for (auto& service : draft.services) {
    resolve_systemd_selection(reader, service, draft.systemd_scope);
    // [defaults] may be written anywhere in the file too.
    service.config.policy = apply_overrides(apply_overrides(RestartPolicy{}, draft.defaults), service.policy);
    if (auto valid = check_restart_policy(service.config.policy); !valid) {
      reader.fail(service.header, fmt::format("service {}: {}", quoted(service.config.name), valid.error()));
    }
  }
  return draft;
}

}  // namespace pm
