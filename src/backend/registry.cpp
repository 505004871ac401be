#include "backend/registry.hpp"

#include <array>
#include <functional>

#include "backend/pm2_backend.hpp"

namespace pm {
namespace {

using Factory = std::function<std::unique_ptr<Backend>(const Config&, CommandRunner&)>;

struct Entry {
  std::string_view name;
  Factory make;
};

const std::array<Entry, 1>& entries() {
  static const std::array<Entry, 1> table{{
      {"pm2", [](const Config& config,
                 CommandRunner& runner) { return std::make_unique<Pm2Backend>(config.pm2, runner); }},
  }};
  return table;
}

}  // namespace

std::span<const std::string_view> compiled_backends() {
  static const auto names = [] {
    std::array<std::string_view, 1> out{};
    for (std::size_t i = 0; i < entries().size(); ++i) out[i] = entries()[i].name;
    return out;
  }();
  return names;
}

Backends make_backends(const Config& config, CommandRunner& runner) {
  Backends backends;
  for (const auto& service : config.services) {
    for (const auto& entry : entries()) {
      bool used = service.backend == entry.name || service.backend == "auto";
      if (used && !backends.contains(entry.name)) backends.emplace(entry.name, entry.make(config, runner));
    }
  }
  return backends;
}

}  // namespace pm
