#include <boost/filesystem.hpp>

#include <fmt/format.h>

#include "config/load_config.hpp"

namespace pm {
namespace {

enum class Presence { kPresent, kMissing, kInaccessible };

struct Probe {
  Presence presence;
  std::string problem;  // for kInaccessible: why
};

// "Does not exist" only when the file is really absent: a permission problem
// on the way is reported as what it is.
Probe probe_file(const std::string& path) {
  boost::system::error_code error;
  boost::filesystem::file_status status = boost::filesystem::status(path, error);
  if (status.type() == boost::filesystem::file_not_found) return {Presence::kMissing, {}};
  if (error) return {Presence::kInaccessible, error.message()};
  return {Presence::kPresent, {}};
}

std::expected<std::string, std::string> require(const std::string& path, std::string_view origin) {
  Probe probe = probe_file(path);
  switch (probe.presence) {
    case Presence::kPresent: return path;
    case Presence::kMissing:
      return std::unexpected(fmt::format("config file '{}'{} does not exist", path, origin));
    case Presence::kInaccessible:
      return std::unexpected(
          fmt::format("cannot access config file '{}'{}: {}", path, origin, probe.problem));
  }
  return std::unexpected(fmt::format("cannot access config file '{}'", path));
}

}  // namespace

bool config_file_absent(std::string_view path) {
  return probe_file(std::string(path)).presence == Presence::kMissing;
}

std::expected<std::string, std::string> locate_config(const std::optional<std::string>& cli_path,
                                                      const char* env_value, std::string_view system_path) {
  // An explicit choice that fails is an error, never a silent fall back to
  // another file: that would monitor the wrong services.
  if (cli_path) return require(*cli_path, "");
  if (env_value != nullptr && *env_value != '\0') {
    return require(env_value, " (from $PROCESS_MONITOR_CONFIG)");
  }
  std::string system_file(system_path);
  Probe probe = probe_file(system_file);
  if (probe.presence == Presence::kPresent) return system_file;
  if (probe.presence == Presence::kInaccessible) {
    return std::unexpected(fmt::format("cannot access config file '{}': {}", system_file, probe.problem));
  }
  std::string_view env_state = env_value == nullptr ? "is not set" : "is empty";
  return std::unexpected(
      fmt::format("no config file found: -c was not given, $PROCESS_MONITOR_CONFIG {} and {} does not exist; "
                  "write one with 'process-monitor discover > {}' or from "
                  "/usr/share/doc/process-monitor/examples/config.toml, or pass -c FILE",
                  env_state, system_file, system_file));
}

}  // namespace pm
