// [service.limits] against a real systemd user manager: the unit's
// MemoryCurrent and CPUUsageNSec as systemd reports them. A manager without
// a memory cgroup to account in (this machine's user manager) reports them
// "[not set]": the limit is then not checkable, which is a warning (exit 1)
// naming the cause, never a silent pass or a restart.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "systemd_harness.hpp"

using namespace pm;
using namespace pm::it;

TEST_CASE("a unit's memory limit is read from MemoryCurrent, or warns that systemd has none",
          "[systemd][limits]") {
  TestUnit unit("it-sd-limited");
  TempDir dir;
  std::string config = dir.write(
      "config.toml",
      systemd_config_head() + fmt::format("[[service]]\nname = \"{}\"\nbackend = \"systemd\"\n"
                                          "[service.limits]\nmemory = \"1GiB\"\nmemory_action = \"warn\"\n",
                                          unit.name()));
  const long pid_before = unit.main_pid();
  auto run = run_monitor({"--once", "--json", "-c", config}, SystemdEngine::env());
  auto report = parse_json(run);
  const auto& service = report["services"][0];
  INFO(service.dump(2));
  REQUIRE(service["limits"].size() == 1);
  const auto& reading = service["limits"][0];
  std::string current = unit.prop("MemoryCurrent");
  if (current.empty() || current == "[not set]" || current == "18446744073709551615") {
    CHECK(run.exit_code == 1);
    CHECK(service["usage"]["memory_bytes"].is_null());
    CHECK(reading["value"].is_null());
    CHECK_THAT(text_of(reading["note"]), Catch::Contains("systemd reports no MemoryCurrent"));
    CHECK_THAT(run.err,
               Catch::Contains("it-sd-limited: memory limit not checked: systemd reports no MemoryCurrent"));
  } else {
    CHECK(run.exit_code == 0);  // a sleep is far below 1 GiB
    REQUIRE(reading["value"].is_number());
    CHECK(reading["over"] == false);
  }
  CHECK(unit.main_pid() == pid_before);  // a warn limit never restarts
}
