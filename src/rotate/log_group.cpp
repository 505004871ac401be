#include "rotate/log_group.hpp"

#include <signal.h>

#include <array>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "util/overloaded.hpp"

namespace pm {
namespace {

struct SignalName {
  std::string_view name;
  int number;
};

constexpr std::array<SignalName, 4> kReopenSignals{{
    {"HUP", SIGHUP},
    {"USR1", SIGUSR1},
    {"USR2", SIGUSR2},
    {"WINCH", SIGWINCH},
}};

}  // namespace

std::optional<int> reopen_signal_number(std::string_view name) {
  if (name.starts_with("SIG")) name.remove_prefix(3);
  for (const auto& known : kReopenSignals) {
    if (known.name == name) return known.number;
  }
  return std::nullopt;
}

std::string signal_name(int signal) {
  for (const auto& known : kReopenSignals) {
    if (known.number == signal) return fmt::format("SIG{}", known.name);
  }
  return fmt::format("signal {}", signal);
}

std::string describe(const ReopenAction& action) {
  return std::visit(Overloaded{
                        [](const ReopenPm2& pm2) { return fmt::format("pm2 reloadLogs (app {})", pm2.app); },
                        [](const ReopenPidfile& pid) {
                          return fmt::format("{} to the pid in {}", signal_name(pid.signal), pid.pidfile);
                        },
                        [](const ReopenSystemd& unit) {
                          return fmt::format("{} to {}", signal_name(unit.signal), unit.target);
                        },
                        [](const ReopenDocker& docker) {
                          return fmt::format("{} to container {}", signal_name(docker.signal),
                                             docker.container);
                        },
                        [](const ReopenExec& exec) { return fmt::format("{}", fmt::join(exec.argv, " ")); },
                    },
                    action.how);
}

LogGroupConfig monitor_log_group(const std::string& log_file, std::uint64_t max_size, int keep) {
  LogGroupConfig group;
  group.paths = {log_file};
  group.max_size = max_size;
  group.keep = keep;
  group.compress = true;
  group.delay_compress = true;
  group.missing_ok = true;  // no log written yet
  group.not_if_empty = true;
  group.method = RotateMethod::Rename;
  group.where = "the monitor's own log";
  return group;
}

}  // namespace pm
