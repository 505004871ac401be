// process-monitor's entry point: parse the command line, run the command,
// turn what escapes into one error line and exit code 3.
#include <exception>

#include <CLI/CLI.hpp>

#include "cli/command_line.hpp"
#include "cli/run_command.hpp"

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
  try {
    return options.command == pm::Command::CheckConfig ? pm::check_config(options) : pm::run_monitor(options);
  } catch (const std::exception& error) {
    pm::print_error(std::string("internal error: ") + error.what());
    return pm::kExitUsage;
  }
}
