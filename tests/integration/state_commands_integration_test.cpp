// status, reset, pause and resume: the real binary, its state file, and runs
// against a real PM2 daemon (tests/engines/pm2) between them.
#include <signal.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine_harness.hpp"
#include "state/run_lock.hpp"

using namespace pm;
using namespace pm::it;
using Catch::Matchers::Contains;

namespace {

// One [[service]] for `app`, with `policy` lines (restart_budget, grace, ...).
std::string config_for(const TestApp& app, const std::string& policy = "") {
  return pm2_table() + fmt::format(
                           "[monitor]\nverify_interval = \"200ms\"\n\n"
                           "[[service]]\nname = \"{0}\"\nbackend = \"pm2\"\nverify_timeout = \"3s\"\n{2}\n"
                           "[service.health]\nurl = \"{1}\"\ntimeout = \"1s\"\nretries = 0\n",
                           app.name(), app.health_url(), policy);
}

TestApp::Options sticky(const std::string& mode) {
  TestApp::Options options;
  options.sticky_mode = mode;
  return options;
}

// The status row of the config's only service.
nlohmann::json status_of(const std::string& config) {
  auto status = run_monitor({"status", "-c", config, "--json"});
  REQUIRE(status.exit_code == 0);
  auto document = parse_json(status);
  REQUIRE(document["services"].size() == 1);
  return document["services"][0];
}

}  // namespace

TEST_CASE("status after a restart shows the restart, from the state alone", "[pm2][state]") {
  TestApp app("it-status", 39140);
  TempDir dir;
  auto config = dir.write("config.toml", config_for(app));
  auto before = status_of(config);
  CHECK(before["state"] == "unknown");
  CHECK(before["restarts_in_window"] == 0);

  app.set_mode("503");
  REQUIRE(run_monitor({"--once", "-c", config}).exit_code == 1);

  auto row = status_of(config);
  CHECK(row["name"] == "it-status");
  CHECK(row["configured"] == true);
  CHECK(row["state"] == "restarting");
  CHECK(row["restarts_in_window"] == 1);
  CHECK(row["budget"] == "5 per 1h");
  CHECK(row["last_restart"].is_string());
  CHECK(row["grace_until"].is_string());              // the default grace is 30s
  auto text = run_monitor({"status", "-c", config});  // flags after the subcommand
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Contains("it-status") && Contains("1 of 5 per 1h") && Contains("in grace until"));
}

TEST_CASE("a paused app is not restarted (exit 2) until it is resumed", "[pm2][state]") {
  TestApp app("it-paused", 39141);
  TempDir dir;
  auto config = dir.write("config.toml", config_for(app));
  auto paused = run_monitor({"-c", config, "pause", "it-paused", "--for", "10m"});
  CHECK(paused.exit_code == 0);
  CHECK_THAT(paused.out, Contains("it-paused paused until ") && Contains(" UTC"));
  CHECK(status_of(config)["paused"] == true);

  app.set_mode("503");
  long restarts_before = Pm2Engine::restart_count(app.name());
  auto run = run_monitor({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 2);
  auto service = parse_json(run)["services"][0];
  CHECK(service["action"] == "none");
  CHECK_THAT(service["policy"].get<std::string>(), Contains("paused until"));
  CHECK_THAT(service["summary"].get<std::string>(), Contains("paused"));
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before);

  auto resumed = run_monitor({"resume", "-c", config, "it-paused"});
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.out == "it-paused resumed\n");
  CHECK(status_of(config)["paused"] == false);
  CHECK(run_monitor({"--once", "-c", config}).exit_code == 1);
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);
}

TEST_CASE("reset ends giving up: the next failing run restarts again", "[pm2][state]") {
  TestApp app("it-reset", 39142, sticky("503"));  // a restart cannot fix it
  TempDir dir;
  auto config = dir.write("config.toml",
                          config_for(app, "restart_budget = \"1 per 1h\"\ngrace = \"0s\"\nbackoff = \"0s\""));
  long restarts_before = Pm2Engine::restart_count(app.name());
  CHECK(run_monitor({"--once", "-c", config}).exit_code == 2);  // restarted, still unhealthy
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);
  auto gave_up = run_monitor({"--once", "-c", config});
  CHECK(gave_up.exit_code == 2);
  CHECK_THAT(gave_up.out, Contains("gave up"));
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);
  auto row = status_of(config);
  CHECK(row["state"] == "gave-up");
  CHECK(row["gave_up"] == true);
  CHECK(row["restarts_in_window"] == 1);

  auto unknown = run_monitor({"reset", "it-rest", "-c", config});
  CHECK(unknown.exit_code == 3);
  CHECK_THAT(unknown.err, Contains("no service it-rest") && Contains("known: it-reset"));

  auto reset = run_monitor({"reset", "-c", config, "it-reset"});
  CHECK(reset.exit_code == 0);
  CHECK_THAT(reset.out, Contains("it-reset reset"));
  row = status_of(config);
  CHECK(row["gave_up"] == false);
  CHECK(row["restarts_in_window"] == 0);

  CHECK(run_monitor({"--once", "-c", config}).exit_code == 2);
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 2);
}

TEST_CASE("while a cycle holds the lock, status answers and reset, pause, resume exit 4", "[pm2][state]") {
  TestApp app("it-locked", 39143);
  TempDir dir;
  auto config = dir.write("config.toml", config_for(app));
  std::string state_dir = dir.path() + "/state";
  REQUIRE(run_monitor({"--once", "-c", config, "--state-dir", state_dir}).exit_code == 0);
  auto status = run_monitor({"status", "--json", "--state-dir", state_dir, "-c", config});
  REQUIRE(status.exit_code == 0);
  std::string state_file = parse_json(status)["state_file"];

  auto lock = RunLock::acquire(state_file, Duration{0});  // what a running cycle holds
  REQUIRE(lock);
  auto during = run_monitor({"--state-dir", state_dir, "status", "-c", config}, {}, Duration{5000});
  CHECK(during.exit_code == 0);
  CHECK_THAT(during.out, Contains("it-locked") && Contains("healthy"));
  for (std::string command : {"reset", "pause", "resume"}) {
    auto busy =
        run_monitor({command, "it-locked", "-c", config, "--state-dir", state_dir, "--wait-lock", "300ms"});
    CHECK(busy.exit_code == 4);
    CHECK_THAT(busy.err, Contains("holds"));
  }
}

namespace {

// Polls the status row of `config`'s only service (run with `state_dir`)
// until `wanted` holds of it or `limit` passes; the last row either way.
template <class Predicate>
nlohmann::json wait_for_status(const std::string& config, const std::string& state_dir, Predicate wanted,
                               Duration limit = Duration{20000}) {
  auto until = std::chrono::steady_clock::now() + limit;
  nlohmann::json row;
  do {
    auto status = run_monitor({"status", "--json", "-c", config, "--state-dir", state_dir});
    REQUIRE(status.exit_code == 0);
    row = parse_json(status)["services"][0];
    if (wanted(row)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (std::chrono::steady_clock::now() < until);
  return row;
}

nlohmann::json status_of_in(const std::string& config, const std::string& state_dir) {
  return wait_for_status(config, state_dir, [](const auto&) { return true; });
}

}  // namespace

TEST_CASE("an --interval loop takes the lock per cycle: pause and resume reach it, a second loop exits 4",
          "[pm2][state]") {
  TestApp app("it-loop", 39144);
  TempDir dir;
  auto config = dir.write("config.toml", config_for(app, "grace = \"0s\"\nbackoff = \"0s\"\n"));
  const std::string state_dir = dir.path() + "/state";
  const std::vector<std::string> loop_args{"--interval", "1s", "-q", "-c", config, "--state-dir", state_dir};
  BackgroundMonitor loop(loop_args);
  auto seen = wait_for_status(config, state_dir, [](const auto& row) { return row["state"] == "healthy"; });
  INFO("loop stderr so far:\n" << loop.err_so_far());
  REQUIRE(seen["state"] == "healthy");

  auto second = run_monitor(loop_args, {}, Duration{10000});
  CHECK(second.exit_code == 4);
  CHECK_THAT(second.err, Contains("an --interval loop already runs") && Contains(".loop.lock"));

  // A cycle may hold the lock for a moment: --wait-lock waits for it to end.
  auto paused =
      run_monitor({"pause", "it-loop", "-c", config, "--state-dir", state_dir, "--wait-lock", "20s"});
  REQUIRE(paused.exit_code == 0);
  const long restarts_before = Pm2Engine::restart_count(app.name());
  app.set_mode("503");
  // The loop reloaded the state with the pause in it: the failure is logged, not acted on.
  const std::string paused_line = "it-loop: unhealthy (status 503 not in 200-399); not restarted: paused";
  REQUIRE(eventually([&] { return loop.err_so_far().find(paused_line) != std::string::npos; }));
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before);
  CHECK(status_of_in(config, state_dir)["paused"] == true);

  auto resumed =
      run_monitor({"resume", "it-loop", "-c", config, "--state-dir", state_dir, "--wait-lock", "20s"});
  REQUIRE(resumed.exit_code == 0);
  CHECK(eventually([&] { return Pm2Engine::restart_count(app.name()) > restarts_before; }));
  seen = wait_for_status(config, state_dir, [](const auto& row) { return !row["last_restart"].is_null(); });
  CHECK(seen["paused"] == false);
  CHECK(seen["restarts_in_window"] == 1);
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);

  auto stopped = loop.stop();
  INFO("loop stderr:\n" << stopped.err);
  CHECK(stopped.exit_code == 0);
}

TEST_CASE("SIGHUP reloads an --interval loop's config, and a broken one is refused", "[pm2][state]") {
  TestApp first("it-reload-a", 39166);
  TestApp second("it-reload-b", 39167);
  TempDir dir;
  const std::string policy = "grace = \"0s\"\nbackoff = \"0s\"\n";
  auto config = dir.write("config.toml", config_for(first, policy));
  // An hour between cycles: only the SIGHUP can start the next one within the test.
  BackgroundMonitor loop({"--interval", "1h", "-c", config, "--state-dir", dir.path() + "/state"});
  REQUIRE(eventually(
      [&] { return loop.err_so_far().find("checking 1 service(s) every 1h") != std::string::npos; }));

  // A second service appears in the file; the reload checks it at once.
  const long second_before = Pm2Engine::restart_count(second.name());
  second.set_mode("503");
  std::string both = config_for(first, policy);
  std::string second_only = config_for(second, policy);
  both += second_only.substr(second_only.find("[[service]]"));
  dir.write("config.toml", both);
  loop.signal(SIGHUP);
  CHECK(eventually([&] { return Pm2Engine::restart_count(second.name()) > second_before; }));
  CHECK_THAT(loop.err_so_far(), Contains("reloaded " + config + ": 2 service(s)"));

  // A broken file is refused with its file:line:col; the loop goes on with what it has.
  dir.write("config.toml", "[[service]]\nname = \"x\"\nbackend = \"pm3\"\n");
  const long first_before = Pm2Engine::restart_count(first.name());
  first.set_mode("503");
  loop.signal(SIGHUP);
  CHECK(eventually([&] { return Pm2Engine::restart_count(first.name()) > first_before; }));
  std::string err = loop.err_so_far();
  CHECK_THAT(err, Contains("reload refused, the loop goes on with the config it has: " + config +
                           ":3:11: unknown backend 'pm3'"));
  CHECK_FALSE(loop.poll());

  auto stopped = loop.stop();
  INFO("loop stderr:\n" << stopped.err);
  CHECK(stopped.exit_code == 0);
  CHECK(Pm2Engine::restart_count(second.name()) == second_before + 1);
}
