#include "cli/config_source.hpp"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/logging.hpp"
#include "cli/run_command.hpp"
#include "config/load_config.hpp"

namespace pm {

std::expected<Config, std::string> load_config_for(const Options& options) {
  auto path = locate_config(options.config_path, std::getenv("PROCESS_MONITOR_CONFIG"));
  if (!path) return std::unexpected(path.error());
  return load_config(*path);
}

std::optional<std::string> state_dir_override(const Options& options) {
  if (options.state_dir) return options.state_dir;
  const char* env = std::getenv("PROCESS_MONITOR_STATE_DIR");
  if (env != nullptr && *env != '\0') return std::string(env);
  return std::nullopt;
}

std::expected<std::vector<ServicePtr>, std::string> select_services(
    const std::shared_ptr<const Config>& shared, const std::vector<std::string>& names) {
  const Config& config = *shared;
  std::vector<ServicePtr> selected;
  if (names.empty()) {
    selected.reserve(config.services.size());
    for (const auto& service : config.services) selected.emplace_back(shared, &service);
    return selected;
  }
  for (const auto& name : names) {
    const ServiceConfig* service = config.find_service(name);
    if (service == nullptr) {
      std::vector<std::string_view> known;
      for (const auto& candidate : config.services) known.push_back(candidate.name);
      return std::unexpected(fmt::format("--service {}: no such service in {} (configured: {})", name,
                                         config.path, fmt::join(known, ", ")));
    }
    if (std::ranges::find(selected, service, &ServicePtr::get) == selected.end())
      selected.emplace_back(shared, service);
  }
  return selected;
}

std::optional<Config> start_with_config(const Options& options) {
  if (auto logging = setup_logging(options.log_level, options.quiet, options.log_file); !logging) {
    print_error(logging.error());
    return std::nullopt;
  }
  auto config = load_config_for(options);
  if (!config) {
    print_error(config.error());
    return std::nullopt;
  }
  return std::move(*config);
}

}  // namespace pm
