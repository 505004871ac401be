#pragma once
// Values that every report (text, JSON, Prometheus, Nagios) shows the same way.
#include <string>

#include "core/cycle_result.hpp"

namespace pm {

// The backend that answered for the service, else the configured one
// ("auto" when no backend knew the target).
const std::string& reported_backend(const ServiceResult& result);

// A duration in seconds as a plain decimal number: 12ms -> "0.012",
// 1500ms -> "1.5", 0 -> "0" (Prometheus sample values, Nagios perfdata).
std::string decimal_seconds(Duration duration);

}  // namespace pm
