#pragma once
// The [resources] checks of one run: each configured threshold measured on
// `host` and judged (resource_check.hpp), in the order memory, load, cpu,
// then per [[resources.disk]] its blocks and its inodes.
//
// CPU is the busy share since the previous run: `memory` is the state file's
// "resources" object (opaque to the state layer), where the counters of this
// run are left for the next. Without a usable previous sample (the first run,
// a reboot, a sample older than kMaxCpuSampleAge or from the same second) it
// samples twice, kFirstCpuSample apart.
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/wall_time.hpp"
#include "resources/host_source.hpp"
#include "resources/resource_check.hpp"
#include "resources/resource_settings.hpp"

namespace pm {

inline constexpr Duration kFirstCpuSample{200};
inline constexpr std::chrono::seconds kMaxCpuSampleAge{3600};

std::vector<ResourceCheck> check_host(const ResourceSettings& settings, HostSource& host,
                                      nlohmann::json& memory, WallTime now);

}  // namespace pm
