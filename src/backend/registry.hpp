#pragma once
// The one map from backend name to factory. No self-registering statics:
// adding a backend means adding a line to registry.cpp.
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "backend/backend.hpp"
#include "config/config.hpp"
#include "util/exec.hpp"

namespace pm {

using Backends = std::map<std::string, std::unique_ptr<Backend>, std::less<>>;

// Backends compiled into this build, in the order backend = "auto" tries them.
std::span<const std::string_view> compiled_backends();

// Builds the backends `config` uses (every compiled backend when a service
// says "auto"). `runner` must outlive them.
Backends make_backends(const Config& config, CommandRunner& runner);

}  // namespace pm
