#pragma once
// Room for many open descriptors: one concurrent HTTP probe holds one socket,
// and the default soft limit (1024 under systemd and most shells) is below
// what a thousand probes and the rest of a run need.
#include <cstddef>

namespace pm {

// Raises the soft RLIMIT_NOFILE, at most to the hard limit, so that `wanted`
// descriptors fit; never lowers it. Returns the soft limit in force after.
std::size_t make_room_for_descriptors(std::size_t wanted);

}  // namespace pm
