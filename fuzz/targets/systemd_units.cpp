// systemd's unit properties -> UnitStatus (backend/systemd_units.hpp).
// The backend reads typed D-Bus values (sd_bus_message_read "s" and "u"),
// not bytes, so the input is decoded as `systemctl show` lines (the form
// recorded in tests/data/systemd/*.show.txt, and the seeds), the numbers as
// D-Bus's uint32 ("u") would carry them (tests/support/systemd_show_lines.hpp). The unit's Id also goes
// through the target form and back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "backend/systemd_units.hpp"
#include "fuzz_check.hpp"
#include "systemd_show_lines.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto properties =
      pm::test::systemd_properties_from_show(std::string_view(reinterpret_cast<const char*>(data), size));
  pm::UnitStatus status = pm::systemd_unit_status(properties, pm::SystemdScope::System);
  FUZZ_CHECK(!status.engine_state.empty());
  FUZZ_CHECK(status.restart_count >= 0);
  if (status.state != pm::UnitState::Running) FUZZ_CHECK(status.pids.empty());
  for (int pid : status.pids) FUZZ_CHECK(pid > 0);

  for (auto scope : {pm::SystemdScope::System, pm::SystemdScope::User}) {
    auto target = pm::parse_systemd_target(pm::format_systemd_target(scope, properties.id));
    if (!properties.id.starts_with("user/") && !properties.id.starts_with("system/")) {
      FUZZ_CHECK(target.scope == scope && target.unit == properties.id);
    }
  }
  return 0;
}
