#pragma once
// The observe stage: each backend in use is asked once, for all of its
// services, and every service gets a Sighting.
#include <memory>
#include <vector>

#include "backend/registry.hpp"
#include "config/config.hpp"
#include "core/verdict.hpp"
#include "util/deadline.hpp"

namespace pm {

struct Observed {
  ServicePtr service;
  Sighting sighting;
};

// The sightings of `services`, in order. A service whose target selects a
// group (a Docker label or Compose project) becomes one Observed per member,
// each with a service of its own (named after the member, targeting it
// alone). A service with backend = "auto" is given to the single backend
// that knows its target; when none or several do, its Sighting carries
// every backend's reason in one message.
std::vector<Observed> observe_services(const std::vector<ServicePtr>& services, Backends& backends,
                                       Deadline deadline);

}  // namespace pm
