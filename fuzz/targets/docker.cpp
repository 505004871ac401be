// Docker Engine API answers: the container list and a container's inspect
// (backend/docker_containers.hpp), and what is derived from their fields.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "backend/docker_containers.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto list = pm::parse_container_list(body)) {
    for (const auto& container : *list) {
      std::string health = pm::health_from_status_text(container.status_text);
      FUZZ_CHECK(health.empty() || health == "healthy" || health == "unhealthy" || health == "starting");
      (void)pm::docker_state_to_unit_state(container.state);
      (void)pm::container_label(container, "com.docker.compose.service");
    }
  }
  if (auto detail = pm::parse_container_inspect(body)) {
    FUZZ_CHECK(detail->last_health_output.size() <= 200);
    (void)pm::docker_state_to_unit_state(detail->status);
  }
  return 0;
}
