#pragma once
// The human result table on stdout: one line per service.
#include <string>

#include "core/cycle_result.hpp"

namespace pm {

// SERVICE  BACKEND  STATE  HEALTH  LATENCY  RESULT, columns sized to fit.
std::string render_text_report(const CycleResult& cycle);

// One phrase for the RESULT column: "ok", "restarted, healthy after 1.2s",
// "would restart (--dry-run)", "restart failed: ...".
std::string describe_outcome(const ServiceResult& result);

}  // namespace pm
