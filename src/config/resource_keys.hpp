#pragma once
// [resources]: host thresholds, checked once per run (resources/host_checks.hpp).
//   [resources]
//   memory_warn = "80%"    memory_critical = "90%"   # share of MemTotal not MemAvailable
//   cpu_warn = "85%"       cpu_critical = "95%"      # busy share of all CPUs since the previous run
//   load_warn = 1.5        load_critical = 3.0       # 1-minute load average per online CPU
//   [[resources.disk]]
//   path = "/var"          warn = "80%"   critical = "90%"   # blocks used, and inodes used
// A percentage is an integer 1-100 or a string "1%"-"100%"; a load is a
// number above 0 (at most 1000). Either level may be left out; with both,
// warn must be below critical.
#include <string_view>
#include <vector>

#include "config/field_reader.hpp"
#include "config/toml.hpp"
#include "resources/resource_settings.hpp"

namespace pm {

// The accepted keys of [resources] and of [[resources.disk]], for unknown-key messages.
std::vector<std::string_view> resource_key_names();
std::vector<std::string_view> disk_key_names();

// Reads the value of the top-level 'resources' key. Problems go to `reader`.
ResourceSettings read_resources(FieldReader& reader, const toml::node& value);

}  // namespace pm
