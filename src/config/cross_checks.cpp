#include "config/cross_checks.hpp"

#include <map>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "config/text_rules.hpp"

namespace pm {
namespace {

void check_backend_none(FieldReader& reader, const ServiceDraft& service) {
  const ServiceConfig& config = service.config;
  if (config.backend == "none" && config.limits.configured()) {
    reader.fail(service.limits_at.value_or(service.header),
                fmt::format("service {} has backend \"none\": no engine reports its memory or CPU use, so "
                            "[service.limits] cannot apply; monitor it through its backend instead",
                            quoted(config.name)));
  }
  if (config.backend != "none" || config.health) return;
  if (config.restart_command.empty()) {
    reader.fail(
        service.header,
        fmt::format("service {} has backend \"none\", no [service.health] check and no restart_command, so "
                    "it would do nothing; add a [service.health] check (and a restart_command to restart it)",
                    quoted(config.name)));
  } else {
    reader.fail(
        service.header,
        fmt::format("a service with backend \"none\" needs a [service.health] check: without one nothing "
                    "tells whether {} is down",
                    quoted(config.name)));
  }
}

// A timeout the run's deadline would always cut short is a config mistake,
// not something to discover during an outage.
void check_within_deadline(FieldReader& reader, const ConfigDraft& draft, const ServiceDraft& service,
                           std::string_view key, Duration timeout,
                           const std::optional<toml::source_position>& timeout_at) {
  Duration deadline = draft.monitor.deadline;
  if (timeout <= deadline) return;
  std::string deadline_text =
      draft.deadline_at ? fmt::format("{}, line {}", format_duration(deadline), draft.deadline_at->line)
                        : fmt::format("{}, the default", format_duration(deadline));
  std::string timeout_text =
      timeout_at ? format_duration(timeout) : fmt::format("{}, the default", format_duration(timeout));
  reader.fail(timeout_at ? *timeout_at : service.header,
              fmt::format("{} of service {} ({}) exceeds [monitor] deadline ({}); lower {} or raise deadline",
                          key, quoted(service.config.name), timeout_text, deadline_text, key));
}

void check_duplicates(FieldReader& reader, const ConfigDraft& draft) {
  std::map<std::string_view, const ServiceDraft*> by_name;
  std::map<std::pair<std::string_view, std::string_view>, const ServiceDraft*> by_target;
  for (const auto& service : draft.services) {
    const ServiceConfig& config = service.config;
    toml::source_position name_at = service.name_at.value_or(service.header);
    auto [named, new_name] = by_name.emplace(config.name, &service);
    if (!new_name) {
      const ServiceDraft& first = *named->second;
      reader.fail(name_at, fmt::format("duplicate service name {} (the first is at line {})",
                                       quoted(config.name), first.name_at.value_or(first.header).line));
      continue;
    }
    // Backend "none" has no backend-side object that two services could share.
    if (config.backend == "none") continue;
    std::pair<std::string_view, std::string_view> thing{config.backend, config.target};
    auto [targeted, new_target] = by_target.emplace(thing, &service);
    if (!new_target) {
      const ServiceDraft& first = *targeted->second;
      reader.fail(
          service.target_at.value_or(name_at),
          fmt::format("service {} has the same backend and target as service {} (line {}): {} {}; two names "
                      "for one thing would restart it twice, so keep one",
                      quoted(config.name), quoted(first.config.name), first.header.line, config.backend,
                      quoted(config.target)));
    }
  }
}

}  // namespace

void check_across(FieldReader& reader, const ConfigDraft& draft) {
  if (draft.services.empty() && draft.logs.empty() && !draft.resources.configured()) {
    toml::source_position start{1, 1};
    reader.fail(
        draft.services_at ? *draft.services_at : start,
        "no [[service]] defined: a config that monitors nothing is a mistake; add a [[service]] table "
        "(or [[logs]] groups to rotate, or [resources] thresholds; see "
        "/usr/share/doc/process-monitor/examples/config.toml)");
    return;
  }
  for (const auto& service : draft.services) {
    check_backend_none(reader, service);
    check_within_deadline(reader, draft, service, "restart_timeout", service.config.restart_timeout,
                          service.restart_timeout_at);
    check_within_deadline(reader, draft, service, "verify_timeout", service.config.verify_timeout,
                          service.verify_timeout_at);
  }
  check_duplicates(reader, draft);
}

}  // namespace pm
