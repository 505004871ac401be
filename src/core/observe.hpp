#pragma once
// The observe stage: each backend in use is asked once, for all of its
// services, and every service gets a Sighting.
#include <vector>

#include "backend/registry.hpp"
#include "config/config.hpp"
#include "core/verdict.hpp"
#include "util/deadline.hpp"

namespace pm {

// One Sighting per service, in order. A service with backend = "auto" is
// given to the single backend that knows its target; when none or several
// do, its Sighting carries every backend's reason in one message.
std::vector<Sighting> observe_services(const std::vector<const ServiceConfig*>& services, Backends& backends,
                                       Deadline deadline);

}  // namespace pm
