// --format nagios: the status word per exit code, the summary and the perfdata.
#include <catch2/catch.hpp>

#include "report/nagios_line.hpp"
#include "report_samples.hpp"

using namespace pm;
using namespace pm::test;

namespace {

CycleResult cycle_of(std::vector<ServiceResult> services, Duration elapsed = Duration{1234}) {
  CycleResult cycle;
  cycle.services = std::move(services);
  cycle.elapsed = elapsed;
  return cycle;
}

}  // namespace

TEST_CASE("nagios: exit codes map to the plugin states", "[report][nagios]") {
  CHECK(nagios_status(0) == "OK");
  CHECK(nagios_status(1) == "WARNING");
  CHECK(nagios_status(2) == "CRITICAL");
  CHECK(nagios_status(3) == "UNKNOWN");
  CHECK(nagios_status(4) == "UNKNOWN");
}

TEST_CASE("nagios: all fine is OK with every probe's latency", "[report][nagios]") {
  auto line = render_nagios_line(cycle_of({healthy_result("api", Duration{12}), healthy_result("web")}));
  CHECK(line ==
        "PROCESS-MONITOR OK - 2 services OK | 'api_probe'=0.012s;;;0 'web_probe'=0.004s;;;0 "
        "'services'=2;;;0 'failing'=0;;;0 'recovered'=0;;;0 'duration'=1.234s;;;0\n");
}

TEST_CASE("nagios: a restart that was verified is WARNING and names the service", "[report][nagios]") {
  auto line = render_nagios_line(cycle_of({restarted_result("worker"), healthy_result("api")}));
  CHECK(
      line ==
      "PROCESS-MONITOR WARNING - restarted and recovered: worker; 2 services OK | 'worker_probe'=0.012s;;;0 "
      "'api_probe'=0.004s;;;0 'services'=2;;;0 'failing'=0;;;0 'recovered'=1;;;0 'duration'=1.234s;;;0\n");
}

TEST_CASE("nagios: anything still failing is CRITICAL with what happened to it", "[report][nagios]") {
  auto cycle =
      cycle_of({restart_failed_result("queue"), unreachable_result("cron"), restarted_result("worker")},
               Duration{8000});
  cycle.deadline_reached = true;
  CHECK(render_nagios_line(cycle) ==
        "PROCESS-MONITOR CRITICAL - failing: queue (down; restart failed: 'pm2 restart 3' exited with "
        "status 1: [PM2][ERROR] Process 3 not found), cron (unknown: PM2 daemon is not running); "
        "restarted and recovered: worker; 1 of 3 services OK; run deadline reached | "
        "'worker_probe'=0.012s;;;0 'services'=3;;;0 'failing'=2;;;0 'recovered'=1;;;0 'duration'=8s;;;0\n");
  CHECK_THAT(
      render_nagios_line(cycle_of({dry_run_result("api")})),
      Catch::StartsWith("PROCESS-MONITOR CRITICAL - failing: api (unhealthy; would restart (--dry-run)); "
                        "0 of 1 services OK | "));
}

TEST_CASE("nagios: names cannot break the line or the perfdata", "[report][nagios]") {
  CHECK(nagios_label("api") == "'api'");
  CHECK(nagios_label("bob's app") == "'bob''s app'");
  CHECK(nagios_label("a=b") == "'a_b'");
  auto failing = unreachable_result("x|y");
  failing.verdict.reason = "line one\nline two | more";
  failing.sighting.error = failing.verdict.reason;
  auto line = render_nagios_line(cycle_of({failing, healthy_result("o'neil")}));
  CHECK(line ==
        "PROCESS-MONITOR CRITICAL - failing: x/y (unknown: line one line two / more); 1 of 2 services OK | "
        "'o''neil_probe'=0.004s;;;0 'services'=2;;;0 'failing'=1;;;0 'recovered'=0;;;0 "
        "'duration'=1.234s;;;0\n");
}

TEST_CASE("nagios: no service at all is OK and says so", "[report][nagios]") {
  CHECK(render_nagios_line(cycle_of({}, Duration{3})) ==
        "PROCESS-MONITOR OK - no service checked | 'services'=0;;;0 'failing'=0;;;0 'recovered'=0;;;0 "
        "'duration'=0.003s;;;0\n");
}
