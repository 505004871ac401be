#pragma once
// [service.limits]: the service's resource use as its engine reports it
// (resources/service_limits.hpp).
//   [service.limits]
//   memory = "512MiB"          # resident memory, all instances together
//   memory_cycles = 3          # runs in a row over it before acting (default 1)
//   memory_action = "restart"  # or "warn" (default "restart", as PM2's max_memory_restart)
//   cpu = "90%"                # of one CPU ("250%": two and a half), averaged since the previous run
//   cpu_cycles = 5             # default 3
//   cpu_action = "warn"        # or "restart" (default "warn")
#include <string_view>
#include <vector>

#include "config/field_reader.hpp"
#include "config/toml.hpp"
#include "resources/service_limits.hpp"

namespace pm {

// Its accepted keys, for unknown-key messages.
std::vector<std::string_view> limit_key_names();

// Reads a [service.limits] table; problems go to `reader`.
ServiceLimits read_limits(FieldReader& reader, const toml::table& table);

}  // namespace pm
