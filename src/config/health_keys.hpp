#pragma once
// The [service.health] table: an HTTP health check.
#include <array>

#include "config/config.hpp"
#include "config/key_reader.hpp"
#include "config/toml.hpp"

namespace pm {

// Its accepted keys, for unknown-key messages.
std::vector<std::string_view> health_key_names();

// Reads a [service.health] table; problems go to `reader`.
HealthCheck read_health(FieldReader& reader, const toml::table& table);

}  // namespace pm
