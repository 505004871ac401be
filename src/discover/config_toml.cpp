#include "discover/config_toml.hpp"

#include <set>

#include <fmt/format.h>

#include "discover/service_names.hpp"
#include "discover/toml_text.hpp"

namespace pm {
namespace {

constexpr std::string_view kHeader =
    "# process-monitor config written by 'process-monitor discover': one [[service]] per PM2 app,\n"
    "# Docker container (one per Compose service) and enabled or failed systemd service it found.\n"
    "# Review it, then install it:\n"
    "#   process-monitor discover > /etc/process-monitor/config.toml\n"
    "#   process-monitor check-config -c /etc/process-monitor/config.toml\n"
    "# No health URLs are guessed: give a service a [service.health] table with url = \"...\" to\n"
    "# probe its HTTP health. /usr/share/doc/process-monitor/examples/config.toml documents every key.\n";

void add_comment(std::string& out, std::string_view text) { out += "# " + comment_text(text) + "\n"; }

void add_key(std::string& out, std::string_view key, std::string_view value) {
  out += fmt::format("{} = {}\n", key, toml_string(value));
}

// What a service found in `state` is expected to be, as a comment and (for
// stopped ones) the expect key.
void add_expectation(std::string& out, const Finding& finding) {
  switch (finding.state) {
    case UnitState::Stopped:
      add_comment(
          out,
          "stopped when discovered: reported, never restarted; delete the expect line to keep it running");
      out += "expect = \"any\"\n";
      break;
    case UnitState::Failed:
      add_comment(out,
                  "down when discovered: a run restarts it (a run without a config file only reports it)");
      break;
    default: break;
  }
}

void add_service(std::string& out, const Finding& finding, const std::string& name) {
  out += "\n";
  for (const auto& note : finding.notes) add_comment(out, note);
  add_comment(out, fmt::format("{}: {}", finding.backend, finding.engine_state));
  out += "[[service]]\n";
  add_key(out, "name", name);
  add_key(out, "backend", finding.backend);
  for (const auto& [key, value] : finding.selector) add_key(out, key, value);
  add_expectation(out, finding);
}

// Whether `finding` gets a [[service]]: its engine answered, and it can be monitored.
bool monitored(const EngineFindings& engine, const Finding& finding) {
  return !engine.unreachable && finding.not_monitored.empty();
}

std::string engine_summary(const EngineFindings& engine) {
  if (engine.unreachable) return fmt::format("{}: not reachable: {}", engine.engine, *engine.unreachable);
  return fmt::format("{}: {} found", engine.engine, engine.findings.size());
}

}  // namespace

std::size_t monitored_count(const std::vector<EngineFindings>& engines) {
  std::size_t count = 0;
  for (const auto& engine : engines) {
    for (const auto& finding : engine.findings) count += monitored(engine, finding) ? 1 : 0;
  }
  return count;
}

std::string render_discovered_config(const std::vector<EngineFindings>& engines) {
  std::vector<std::pair<std::string, std::string>> wanted;
  for (const auto& engine : engines) {
    for (const auto& finding : engine.findings) {
      if (monitored(engine, finding)) wanted.emplace_back(finding.name, finding.qualifier);
    }
  }
  std::vector<std::string> names = unique_service_names(wanted);

  std::string out(kHeader);
  std::set<std::string> tables;
  for (const auto& engine : engines) {
    if (engine.unreachable || engine.settings.empty() || !tables.insert(engine.table).second) continue;
    out += fmt::format("\n[{}]\n", engine.table);
    for (const auto& setting : engine.settings) {
      if (setting.boolean) {
        out += fmt::format("{} = {}\n", setting.key, setting.value);
      } else {
        add_key(out, setting.key, setting.value);
      }
    }
  }
  std::size_t next_name = 0;
  for (const auto& engine : engines) {
    out += "\n";
    add_comment(out, "---- " + engine_summary(engine));
    if (engine.unreachable) continue;
    for (const auto& note : engine.notes) add_comment(out, note);
    for (const auto& finding : engine.findings) {
      if (monitored(engine, finding)) {
        add_service(out, finding, names[next_name++]);
      } else {
        out += "\n";
        add_comment(out, fmt::format("not monitored: '{}' ({}): {}", finding.name, finding.engine_state,
                                     finding.not_monitored));
      }
    }
  }
  if (monitored_count(engines) == 0) {
    out += "\n";
    add_comment(
        out, "nothing to monitor was found: add a [[service]] (check-config refuses a config without one)");
  }
  return out;
}

}  // namespace pm
