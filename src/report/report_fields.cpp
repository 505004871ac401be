#include "report/report_fields.hpp"

#include <fmt/format.h>

namespace pm {

const std::string& reported_backend(const ServiceResult& result) {
  return result.sighting.backend.empty() ? result.service->backend : result.sighting.backend;
}

std::string decimal_seconds(Duration duration) {
  return fmt::format("{}", static_cast<double>(duration.count()) / 1000.0);
}

}  // namespace pm
