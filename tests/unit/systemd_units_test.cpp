// systemd unit properties -> UnitStatus, on property sets recorded from a
// real systemd 252 user manager (tests/data/systemd, `systemctl show` form;
// the D-Bus form of the same sets is recorded beside them).
#include <catch2/catch.hpp>

#include <sstream>

#include "backend/systemd_units.hpp"
#include "test_data.hpp"

using namespace pm;

namespace {

// Reads a recorded `systemctl show -p ...` answer into the properties the
// backend reads over D-Bus.
SystemdUnitProperties recorded(const std::string& name) {
  std::istringstream text(test::read_test_data("systemd/" + name + ".show.txt"));
  SystemdUnitProperties properties;
  std::string line;
  while (std::getline(text, line)) {
    auto equals = line.find('=');
    if (equals == std::string::npos) continue;
    std::string key = line.substr(0, equals);
    std::string value = line.substr(equals + 1);
    if (key == "Id") properties.id = value;
    if (key == "LoadState") properties.load_state = value;
    if (key == "ActiveState") properties.active_state = value;
    if (key == "SubState") properties.sub_state = value;
    if (key == "Result") properties.result = value;
    if (key == "NRestarts" && !value.empty()) properties.n_restarts = std::stol(value);
    if (key == "MainPID" && !value.empty()) {
      properties.main_pid = std::stol(value);
      properties.processes_read = true;  // as SystemdBackend::identify reads it
    }
  }
  REQUIRE_FALSE(properties.active_state.empty());
  return properties;
}

}  // namespace

TEST_CASE("a running unit is running, with its main pid", "[systemd]") {
  auto properties = recorded("running");
  auto status = systemd_unit_status(properties, SystemdScope::System);
  CHECK(status.state == UnitState::Running);
  CHECK(status.engine_state == "active (running)");
  REQUIRE(status.pids.size() == 1);
  CHECK(status.pids[0] == properties.main_pid);
  CHECK(status.handles == std::vector<std::string>{"pm-running.service"});
}

TEST_CASE("a listed unit (no Service properties read) has no pid and no restart count until identified",
          "[systemd]") {
  // What observe() has from ListUnitsByNames alone.
  const auto full = recorded("running");
  SystemdUnitProperties listed;
  listed.id = full.id;
  listed.load_state = full.load_state;
  listed.active_state = full.active_state;
  listed.sub_state = full.sub_state;
  auto status = systemd_unit_status(listed, SystemdScope::User);
  CHECK(status.state == UnitState::Running);
  CHECK(status.engine_state == "active (running)");
  CHECK_FALSE(status.processes_known);
  CHECK(status.pids.empty());
  CHECK(status.restart_count == 0);
  CHECK(status.handles == std::vector<std::string>{"user/pm-running.service"});

  // identify(): MainPID and NRestarts read.
  SystemdUnitProperties processes;
  processes.main_pid = full.main_pid;
  processes.n_restarts = 3;
  apply_processes(processes, status);
  CHECK_FALSE(status.processes_known);  // not read: left as it was
  processes.processes_read = true;
  apply_processes(processes, status);
  CHECK(status.processes_known);
  CHECK(status.pids == std::vector<int>{static_cast<int>(full.main_pid)});
  CHECK(status.restart_count == 3);
  processes.main_pid = 0;  // exited since
  apply_processes(processes, status);
  CHECK(status.pids.empty());
}

TEST_CASE("a system and a user unit of one name are two units", "[systemd]") {
  auto properties = recorded("running");
  CHECK(systemd_unit_status(properties, SystemdScope::System).handles !=
        systemd_unit_status(properties, SystemdScope::User).handles);
}

TEST_CASE("a unit killed by a signal is failed, and says why", "[systemd]") {
  auto status = systemd_unit_status(recorded("killed"), SystemdScope::System);
  CHECK(status.state == UnitState::Failed);
  CHECK(status.engine_state == "failed (signal)");
  CHECK(status.pids.empty());
  CHECK(systemd_unit_status(recorded("exited-failure"), SystemdScope::System).engine_state ==
        "failed (exit-code)");
}

TEST_CASE("a unit refused by its start limit says so (the restart resets it first)", "[systemd]") {
  auto status = systemd_unit_status(recorded("start-limit-hit"), SystemdScope::System);
  CHECK(status.state == UnitState::Failed);
  CHECK(status.engine_state == "failed (start-limit-hit)");
}

TEST_CASE("systemd acting on a unit is starting, never restarted on top", "[systemd]") {
  auto auto_restart = systemd_unit_status(recorded("auto-restart"), SystemdScope::System);
  CHECK(auto_restart.state == UnitState::Starting);
  CHECK(auto_restart.engine_state == "activating (auto-restart)");
  auto activating = systemd_unit_status(recorded("activating"), SystemdScope::System);
  CHECK(activating.state == UnitState::Starting);
  CHECK(activating.engine_state == "activating (start-pre)");
  CHECK(activating.pids.empty());
}

TEST_CASE("a unit that does not exist is missing, not inactive", "[systemd]") {
  auto status = systemd_unit_status(recorded("not-found"), SystemdScope::System);
  CHECK(status.state == UnitState::Missing);
  CHECK(status.engine_state == "not found");
}

TEST_CASE("masked and cleanly stopped units are stopped", "[systemd]") {
  auto masked = systemd_unit_status(recorded("masked"), SystemdScope::System);
  CHECK(masked.state == UnitState::Stopped);
  CHECK(masked.engine_state == "masked");
  auto inactive = systemd_unit_status(recorded("inactive"), SystemdScope::System);
  CHECK(inactive.state == UnitState::Stopped);
  CHECK(inactive.engine_state == "inactive (dead)");
}

TEST_CASE("NRestarts is optional (absent before systemd 235)", "[systemd]") {
  auto properties = recorded("running");
  properties.n_restarts = -1;
  CHECK(systemd_unit_status(properties, SystemdScope::System).restart_count == 0);
  properties.n_restarts = 4;
  CHECK(systemd_unit_status(properties, SystemdScope::System).restart_count == 4);
}

TEST_CASE("systemd targets carry their manager", "[systemd]") {
  CHECK(parse_systemd_target("api.service").scope == SystemdScope::System);
  CHECK(parse_systemd_target("user/api.service").scope == SystemdScope::User);
  CHECK(parse_systemd_target("user/api.service").unit == "api.service");
  CHECK(format_systemd_target(SystemdScope::User, "api.service") == "user/api.service");
  CHECK(format_systemd_target(SystemdScope::System, "api.service") == "api.service");
}
