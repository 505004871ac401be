#pragma once
// `systemctl show` output (Key=value lines, as recorded in
// tests/data/systemd/*.show.txt) -> the unit properties the systemd backend
// reads over D-Bus. Numbers are taken as D-Bus's uint32 ("u") carries them:
// the digits modulo 2^32. Lines without '=' and unknown keys are skipped.
// A MainPID line marks the processes read (SystemdBackend::identify).
// Shared by the unit tests and the systemd_units fuzz target.
#include <charconv>
#include <cstdint>
#include <string_view>

#include "backend/systemd_bus.hpp"

namespace pm::test {

inline SystemdUnitProperties systemd_properties_from_show(std::string_view text) {
  SystemdUnitProperties properties;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    std::string_view key = line.substr(0, equals), value = line.substr(equals + 1);
    std::uint64_t number = 0;
    std::from_chars(value.data(), value.data() + value.size(), number);
    const long as_uint32 = static_cast<long>(static_cast<std::uint32_t>(number));
    if (key == "Id") properties.id = value;
    if (key == "LoadState") properties.load_state = value;
    if (key == "ActiveState") properties.active_state = value;
    if (key == "SubState") properties.sub_state = value;
    if (key == "Result") properties.result = value;
    if (key == "NRestarts") properties.n_restarts = as_uint32;
    if (key == "MainPID") {
      properties.main_pid = as_uint32;
      properties.processes_read = true;  // as SystemdBackend::identify reads it
    }
  }
  return properties;
}

}  // namespace pm::test
