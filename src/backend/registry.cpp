#include "backend/registry.hpp"

#include <array>

#include "backend/docker_backend.hpp"
#include "backend/pm2_backend.hpp"
#include "backend/systemd_backend.hpp"

namespace pm {
namespace {

struct Entry {
  std::string_view name;
  std::unique_ptr<Backend> (*make)(const Config& config, CommandRunner& runner);
};

// The one map from name to factory, in the order backend = "auto" tries them.
constexpr std::array kEntries{
    Entry{"pm2",
          [](const Config& config, CommandRunner& runner) -> std::unique_ptr<Backend> {
            return std::make_unique<Pm2Backend>(config.pm2, runner);
          }},
    Entry{"docker",
          [](const Config& config, CommandRunner&) -> std::unique_ptr<Backend> {
            return std::make_unique<DockerBackend>(config.docker);
          }},
    Entry{"systemd",
          [](const Config& config, CommandRunner&) -> std::unique_ptr<Backend> {
            return std::make_unique<SystemdBackend>(config.systemd);
          }},
};

constexpr auto kNames = [] {
  std::array<std::string_view, kEntries.size()> names{};
  for (std::size_t i = 0; i < kEntries.size(); ++i) names[i] = kEntries[i].name;
  return names;
}();

}  // namespace

std::span<const std::string_view> compiled_backends() { return kNames; }

Backends make_backends(const Config& config, CommandRunner& runner) {
  Backends backends;
  for (const auto& service : config.services) {
    for (const auto& entry : kEntries) {
      bool used = service.backend == entry.name || service.backend == "auto";
      if (used && !backends.contains(entry.name)) backends.emplace(entry.name, entry.make(config, runner));
    }
  }
  return backends;
}

}  // namespace pm
