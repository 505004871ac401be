#pragma once
// Turning what was observed into a judgement. Pure functions of plain data.
#include <optional>
#include <string>
#include <vector>

#include "backend/unit_status.hpp"
#include "config/config.hpp"
#include "probe/probe.hpp"
#include "resources/service_limits.hpp"

namespace pm {

enum class Health {
  Healthy,    // running and (if it has one) passing its health check
  StoppedOk,  // stopped, and the config allows that (expect = "any")
  Starting,   // the engine is already acting (launching, stopping): not restarted on top
  Unhealthy,  // running but failing its health check
  Down,       // not running, or unknown to its engine
  Unknown,    // its engine could not be asked: nothing is known, nothing is done
};

std::string_view to_string(Health health);

struct Verdict {
  Health health = Health::Unknown;
  std::string reason;  // empty when Healthy
};

// What the backend said about one service: a status, or why it could not
// say (engine unreachable, or no backend accepted it under "auto").
struct Sighting {
  std::string backend;               // "pm2", "none", or "" when auto found none
  std::optional<UnitStatus> status;  // absent for backend "none" and on error
  std::string error;                 // set when the engine could not answer
};

// Whether the health probe should run: the service exists and is (or is
// becoming) up, or it has no backend to ask.
bool should_probe(const ServiceConfig& service, const Sighting& sighting);

// The verdict on one service. `probe` is the probe's result when it ran.
Verdict judge(const ServiceConfig& service, const Sighting& sighting,
              const std::optional<ProbeResult>& probe);

// A Healthy verdict becomes Unhealthy when a `restart` limit acts (over it
// for its runs); the reason names every such limit. Others are unchanged.
Verdict with_limits(Verdict verdict, const std::vector<LimitReading>& readings);

// Unhealthy and Down services get restarted (or would be, in --dry-run).
bool needs_restart(Health health);
// Healthy, or acceptably stopped.
bool is_fine(Health health);

}  // namespace pm
