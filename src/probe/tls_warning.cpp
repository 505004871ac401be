#include "probe/tls_warning.hpp"

#include <spdlog/spdlog.h>

#include "alert/redact.hpp"

namespace pm {

void warn_unverified_tls(const std::vector<ServicePtr>& services) {
  for (const ServicePtr& service : services) {
    if (service->health && service->health->insecure) {
      spdlog::warn(
          "{}: TLS verification is off for {} (insecure = true): any server on the way can answer "
          "its probe",
          service->name, redact_url(service->health->url));
    }
  }
}

}  // namespace pm
