// process-monitor's entry point: parse the command line, run the command,
// turn what escapes into one error line and exit code 3.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "cli/command_line.hpp"
#include "cli/discover_command.hpp"
#include "cli/rotate_command.hpp"
#include "cli/run_command.hpp"
#include "cli/state_commands.hpp"
#include "report/nagios_line.hpp"

namespace {

int run_command(const pm::Options& options) {
  switch (options.command) {
    case pm::Command::Run: return pm::run_monitor(options);
    case pm::Command::CheckConfig: return pm::check_config(options);
    case pm::Command::Status: return pm::show_status(options);
    case pm::Command::Reset:
    case pm::Command::Pause:
    case pm::Command::Resume: return pm::change_state(options);
    case pm::Command::Rotate: return pm::rotate_command(options);
    case pm::Command::Discover: return pm::discover_command(options);
  }
  return pm::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  pm::Options options;
  auto app = pm::make_command_line(options);
  try {
    app->parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app->exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app->exit(version);
  } catch (const CLI::ParseError& error) {
    pm::print_error(std::string(error.what()) + " (see --help)");
    return pm::kExitUsage;
  }
  int code = pm::kExitUsage;
  try {
    code = run_command(options);
  } catch (const std::exception& error) {
    pm::print_error(std::string("internal error: ") + error.what());
  }
  // A Nagios plugin prints one line whatever happens; a run that ended
  // before any check (config error, lock held) has no report to print it.
  if (options.nagios && options.command == pm::Command::Run && code >= pm::kExitUsage) {
    const std::string& why = pm::first_error();
    std::fputs(pm::render_nagios_unknown(why.empty() ? "the run ended before any check" : why).c_str(),
               stdout);
  }
  return code;
}
