// The restart policy and its state file (issue 5) through the real binary
// against the real PM2 daemon (tests/engines/pm2): cron-like repeated --once
// runs, grace, confirm, concurrent runs under the run lock, and a state file
// that is corrupt, of a newer format, or must not be written by --dry-run.
// Each test runs its own app on its own port (39151-39199). Alerts go to a
// webhook receiver on loopback (tests/support).
#include <catch2/catch.hpp>

#include <boost/filesystem.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine_harness.hpp"
#include "loopback_http_server.hpp"

using namespace pm;
using namespace pm::it;
using pm::test::LoopbackHttpServer;
using pm::test::Route;

namespace fs = boost::filesystem;

namespace {

// One [[service]] for `app` with `policy` (policy keys, one per line) in it,
// and `defaults` as the [defaults] table; probes without retries and a short
// timeout, so failures show fast.
std::string policy_config(const TestApp& app, const std::string& policy, const std::string& defaults = "",
                          const std::string& verify_timeout = "1s") {
  std::string text = pm2_table() + "[monitor]\nverify_interval = \"200ms\"\n\n";
  if (!defaults.empty()) text += "[defaults]\n" + defaults + "\n";
  text += fmt::format(
      "[[service]]\nname = \"{0}\"\nbackend = \"pm2\"\nverify_timeout = \"{1}\"\n{2}\n"
      "[service.health]\nurl = \"{3}\"\ntimeout = \"1s\"\nretries = 0\n",
      app.name(), verify_timeout, policy, app.health_url());
  return text;
}

// The health endpoint answers `mode` even after a restart.
TestApp::Options sticky(const std::string& mode) {
  TestApp::Options options;
  options.sticky_mode = mode;
  return options;
}

// The report of a run over the config's only service.
nlohmann::json parse_one(const MonitorRun& run) {
  auto parsed = parse_json(run);
  REQUIRE(parsed["services"].size() == 1);
  return parsed;
}

std::string string_field(const nlohmann::json& service, const char* key) {
  const auto& value = service[key];
  return value.is_string() ? value.get<std::string>() : std::string();
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

// The files in `dir` whose names end with `suffix`.
std::vector<std::string> files_ending(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> found;
  boost::system::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    std::string name = it->path().filename().string();
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      found.push_back(it->path().string());
    }
  }
  return found;
}

// The one state file in `state_dir` for the config named config.toml.
std::string state_file_in(const std::string& state_dir) {
  auto files = files_ending(state_dir, ".state.json");
  INFO("state files in " << state_dir);
  REQUIRE(files.size() == 1);
  REQUIRE(fs::path(files[0]).filename().string().rfind("config", 0) == 0);
  return files[0];
}

// `count` process-monitor runs with `args`, all started at once (run_monitor
// runs one at a time); waits for every one, failing on any still running
// after `limit`.
std::vector<MonitorRun> run_monitors_at_once(int count, const std::vector<std::string>& args,
                                             Duration limit = Duration{150000}) {
  std::vector<std::unique_ptr<BackgroundMonitor>> started;
  for (int i = 0; i < count; ++i) started.push_back(std::make_unique<BackgroundMonitor>(args));
  auto until = std::chrono::steady_clock::now() + limit;
  std::vector<MonitorRun> runs;
  for (auto& monitor : started) {
    auto left = std::chrono::duration_cast<Duration>(until - std::chrono::steady_clock::now());
    runs.push_back(monitor->wait(std::max(left, Duration{0})));
  }
  return runs;
}

}  // namespace

TEST_CASE("crash loop under repeated --once runs: the restart budget gives up, alerting once", "[pm2]") {
  TestApp app("it-policy-loop", 39151, sticky("503"));
  TempDir dir;
  auto config = dir.write("config.toml", policy_config(app,
                                                       "restart_budget = \"3 per 1h\"\n"
                                                       "grace = \"0s\"\nbackoff = \"0s\"\n"));
  const long restarts_before = Pm2Engine::restart_count(app.name());
  const std::string gave_up_line = fmt::format("error: {}: gave up:", app.name());

  std::string all_stderr;
  int restarts_seen = 0;
  int gave_up_runs = 0;
  for (int i = 1; i <= 8; ++i) {
    auto run = run_monitor({"--once", "--json", "-c", config});
    all_stderr += run.err;
    auto service = parse_one(run)["services"][0];
    const std::string policy = string_field(service, "policy");
    INFO("run " << i << ": exit " << run.exit_code << ", policy: " << policy << "\nstderr:\n" << run.err);
    CHECK(run.exit_code == 2);
    if (service["action"] == "restart") {
      // Restarting after the budget ran out would be the bug this guards against.
      CHECK(gave_up_runs == 0);
      ++restarts_seen;
      CHECK_THAT(policy, Catch::Contains(fmt::format("restart {} in the last 1h", restarts_seen)));
    } else if (policy.rfind("gave up:", 0) == 0) {
      ++gave_up_runs;
      CHECK(restarts_seen == 3);
      CHECK_THAT(policy, Catch::StartsWith("gave up: 3 restarts in the last 1h (budget 3 per 1h)"));
      if (service["action"] == "none") {
        CHECK_THAT(string_field(service, "action_detail"), Catch::StartsWith("not restarted: gave up"));
      }
      // The event is logged in the run that gave up, and never again.
      CHECK(count_of(run.err, gave_up_line) == (gave_up_runs == 1 ? 1u : 0u));
    } else {
      // A restarted app caught while PM2 still launches it is waited for,
      // not restarted (nor counted) on top.
      CHECK_THAT(policy, Catch::Contains("the engine is acting on it"));
    }
  }
  INFO("restarts: " << restarts_seen << ", gave-up runs: " << gave_up_runs
                    << ", gave-up lines: " << count_of(all_stderr, gave_up_line));
  INFO("stderr of all runs:\n" << all_stderr);
  CHECK(restarts_seen == 3);
  CHECK(gave_up_runs >= 1);
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 3);
  CHECK(count_of(all_stderr, gave_up_line) == 1);
}

TEST_CASE("grace: a service still failing soon after its restart is not restarted again", "[pm2]") {
  TestApp app("it-policy-grace", 39152, sticky("503"));
  TempDir dir;
  auto config = dir.write("config.toml", policy_config(app, "grace = \"60s\"\nbackoff = \"0s\"\n"));
  const long restarts_before = Pm2Engine::restart_count(app.name());

  auto first = run_monitor({"--once", "--json", "-c", config});
  CHECK(first.exit_code == 2);
  CHECK(parse_one(first)["services"][0]["action"] == "restart");
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);

  auto second = run_monitor({"--once", "--json", "-c", config});
  CHECK(second.exit_code == 2);
  auto service = parse_one(second)["services"][0];
  CHECK(service["action"] == "none");
  CHECK_THAT(string_field(service, "policy"), Catch::Contains("in grace until"));
  CHECK_THAT(string_field(service, "action_detail"), Catch::Contains("in grace"));
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);
}

TEST_CASE("confirm = 2: the first failing run waits, the second restarts", "[pm2]") {
  TestApp app("it-policy-confirm", 39153);
  TempDir dir;
  auto config = dir.write("config.toml", policy_config(app, "confirm = 2\n", "", "8s"));
  app.set_mode("503");
  const long restarts_before = Pm2Engine::restart_count(app.name());

  auto first = run_monitor({"--once", "--json", "-c", config});
  CHECK(first.exit_code == 2);
  auto waited = parse_one(first)["services"][0];
  CHECK(waited["health"] == "unhealthy");
  CHECK(waited["action"] == "none");
  CHECK(string_field(waited, "policy") == "failure 1 of 2 needed before a restart");
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before);

  auto second = run_monitor({"--once", "--json", "-c", config});
  CHECK(second.exit_code == 1);
  auto restarted = parse_one(second)["services"][0];
  CHECK(restarted["action"] == "restart");
  CHECK_THAT(string_field(restarted, "policy"), Catch::Contains("2 runs in a row"));
  CHECK(restarted["final_health"] == "healthy");
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);
}

TEST_CASE("20 concurrent --once runs on one failing service restart it exactly once", "[pm2]") {
  TestApp app("it-policy-concurrent", 39154);
  TempDir dir;
  // No grace and no backoff: only the run lock keeps a second run from
  // restarting on top of the first.
  auto config = dir.write("config.toml", policy_config(app, "", "grace = \"0s\"\nbackoff = \"0s\"\n", "8s"));

  SECTION("without --wait-lock: one restarts, the others find the lock busy or the service healthy") {
    app.set_mode("503");
    const long restarts_before = Pm2Engine::restart_count(app.name());
    auto runs = run_monitors_at_once(20, {"--once", "-c", config});
    int exited[5] = {0, 0, 0, 0, 0};
    int other = 0;
    for (const auto& run : runs) {
      INFO("exit " << run.exit_code << "\nstdout:\n" << run.out << "\nstderr:\n" << run.err);
      if (run.exit_code >= 0 && run.exit_code <= 4) {
        ++exited[run.exit_code];
      } else {
        ++other;
      }
      CHECK((run.exit_code == 0 || run.exit_code == 1 || run.exit_code == 4));
      if (run.exit_code == 4) {
        CHECK_THAT(run.err, Catch::Contains("another process-monitor run") && Catch::Contains("holds"));
        CHECK(run.out.empty());
      }
    }
    INFO("exit 0: " << exited[0] << ", exit 1: " << exited[1] << ", exit 4: " << exited[4]
                    << ", other: " << exited[2] + exited[3] + other);
    CHECK(exited[1] == 1);
    CHECK(exited[0] + exited[4] == 19);
    CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);
  }

  SECTION("with --wait-lock 30s: every run waits its turn, one restarts, the rest find it healthy") {
    app.set_mode("503");
    const long restarts_before = Pm2Engine::restart_count(app.name());
    auto runs = run_monitors_at_once(20, {"--once", "--wait-lock", "30s", "-c", config});
    int exited[5] = {0, 0, 0, 0, 0};
    int other = 0;
    for (const auto& run : runs) {
      INFO("exit " << run.exit_code << "\nstdout:\n" << run.out << "\nstderr:\n" << run.err);
      if (run.exit_code >= 0 && run.exit_code <= 4) {
        ++exited[run.exit_code];
      } else {
        ++other;
      }
      CHECK((run.exit_code == 0 || run.exit_code == 1));
    }
    INFO("exit 0: " << exited[0] << ", exit 1: " << exited[1] << ", exit 4: " << exited[4]
                    << ", other: " << exited[2] + exited[3] + other);
    CHECK(exited[1] == 1);
    CHECK(exited[0] == 19);
    CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);
  }
}

TEST_CASE("a corrupt state file is moved aside and monitoring goes on", "[pm2]") {
  TestApp app("it-policy-corrupt", 39155);
  TempDir dir;
  auto config = dir.write("config.toml", policy_config(app, ""));
  const std::string state_dir = dir.path() + "/state";

  auto first = run_monitor({"--once", "--state-dir", state_dir, "-c", config});
  REQUIRE(first.exit_code == 0);
  const std::string state_file = state_file_in(state_dir);
  std::ofstream(state_file, std::ios::trunc) << "{\"format\": 1, \"services\": {\x01 garbage";

  auto run = run_monitor({"--once", "--state-dir", state_dir, "-c", config});
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.err, Catch::Contains("warning: state file " + state_file + " is corrupt") &&
                          Catch::Contains("moved it to " + state_file + ".corrupt-"));
  auto aside = files_ending(state_dir, "");
  std::size_t corrupt_files = 0;
  for (const auto& file : aside) {
    if (file.rfind(state_file + ".corrupt-", 0) == 0) {
      ++corrupt_files;
      CHECK_THAT(read_text(file), Catch::Contains("garbage"));
    }
  }
  CHECK(corrupt_files == 1);

  auto saved = nlohmann::json::parse(read_text(state_file), nullptr, false);
  INFO("new state file:\n" << read_text(state_file));
  REQUIRE_FALSE(saved.is_discarded());
  CHECK(saved["format"] == 1);
  CHECK(saved["written_at"].is_number_integer());
  CHECK(saved["services"].contains(app.name()));

  // The new file is read without a warning.
  auto next = run_monitor({"--once", "--state-dir", state_dir, "-c", config});
  CHECK(next.exit_code == 0);
  CHECK(next.err.find("corrupt") == std::string::npos);
}

TEST_CASE("a state file of a newer format is refused with exit 3 and left untouched", "[pm2]") {
  TestApp app("it-policy-newer", 39156);
  TempDir dir;
  auto config = dir.write("config.toml", policy_config(app, ""));
  const std::string state_dir = dir.path() + "/state";

  REQUIRE(run_monitor({"--once", "--state-dir", state_dir, "-c", config}).exit_code == 0);
  const std::string state_file = state_file_in(state_dir);
  const std::string newer = "{\"format\": 99, \"services\": {}}";
  std::ofstream(state_file, std::ios::trunc) << newer;
  app.set_mode("503");  // were the state ignored, this run would restart it
  const long restarts_before = Pm2Engine::restart_count(app.name());

  auto run = run_monitor({"--once", "--state-dir", state_dir, "-c", config});
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.err, Catch::Contains("error: state file " + state_file) &&
                          Catch::Contains("written by a newer process-monitor (format 99") &&
                          Catch::Contains("refusing to read or overwrite it"));
  CHECK(read_text(state_file) == newer);
  CHECK(files_ending(state_dir, ".state.json").size() == 1);
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before);
}

TEST_CASE("a dry run (--dry-run) does not write the state file", "[pm2]") {
  TestApp app("it-policy-dry", 39157);
  TempDir dir;
  auto config = dir.write("config.toml", policy_config(app, "confirm = 3\n"));
  const std::string state_dir = dir.path() + "/state";
  app.set_mode("503");
  const long restarts_before = Pm2Engine::restart_count(app.name());

  auto first = run_monitor({"--once", "--json", "--state-dir", state_dir, "-c", config});
  CHECK(first.exit_code == 2);
  CHECK(string_field(parse_one(first)["services"][0], "policy") == "failure 1 of 3 needed before a restart");
  const std::string state_file = state_file_in(state_dir);
  const std::string before = read_text(state_file);
  REQUIRE_FALSE(before.empty());

  auto dry = run_monitor({"--once", "--dry-run", "--json", "--state-dir", state_dir, "-c", config});
  CHECK(dry.exit_code == 2);
  CHECK(parse_one(dry)["dry_run"] == true);
  CHECK(read_text(state_file) == before);
  CHECK(files_ending(state_dir, ".state.json").size() == 1);

  // The dry run's failure was not counted either.
  auto next = run_monitor({"--once", "--json", "--state-dir", state_dir, "-c", config});
  CHECK(next.exit_code == 2);
  CHECK(string_field(parse_one(next)["services"][0], "policy") == "failure 2 of 3 needed before a restart");
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before);
}

namespace {

// The events (as "event service") the receiver got at `path`, in order; the
// test fails on a body that is not an alert event of the app.
std::vector<std::string> received_events(const LoopbackHttpServer& receiver, const std::string& path,
                                         const std::string& service) {
  std::vector<std::string> events;
  for (const auto& request : receiver.requests(path)) {
    INFO("body: " << request.body);
    CHECK(request.method == "POST");
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    REQUIRE(body.is_object());
    CHECK(body["schema_version"] == 1);
    CHECK(body["service"] == service);
    CHECK(body["backend"] == "pm2");
    CHECK_FALSE(text_of(body["host"]).empty());
    events.push_back(text_of(body["event"]) + " " + text_of(body["service"]));
  }
  return events;
}

}  // namespace

TEST_CASE("a webhook receiver on localhost gets exactly the events of each state change", "[pm2][alert]") {
  TestApp app("it-policy-webhook", 39156);
  LoopbackHttpServer receiver;
  receiver.set_route("/hook", Route{.status = 204, .body = ""});
  TempDir dir;
  auto config =
      dir.write("config.toml",
                policy_config(app, "restart_budget = \"1 per 1h\"\n", "grace = \"0s\"\nbackoff = \"0s\"\n") +
                    fmt::format("\n[[alert]]\nwebhook = \"{}\"\n", receiver.url("/hook")));
  const EnvList direct{{"no_proxy", "127.0.0.1"}, {"NO_PROXY", "127.0.0.1"}};
  const std::string app_name = app.name();
  auto events_after = [&](int expected_exit) {
    auto run = run_monitor({"--once", "-c", config}, direct);
    INFO("stderr:\n" << run.err);
    CHECK(run.exit_code == expected_exit);
    return received_events(receiver, "/hook", app_name);
  };

  CHECK(events_after(0).empty());  // healthy from the start: nothing changed
  app.set_mode("503");             // cleared by the restart
  std::vector<std::string> expected{"became-unhealthy " + app_name, "restarted " + app_name};
  CHECK(events_after(1) == expected);
  expected.push_back("recovered " + app_name);
  CHECK(events_after(0) == expected);
  CHECK(events_after(0) == expected);  // still healthy: no new event

  app.set_sticky_mode("503");  // now a restart cannot fix it, and the budget (1 per 1h) is spent
  app.set_mode("503");
  expected.push_back("became-unhealthy " + app_name);
  expected.push_back("gave-up " + app_name);
  CHECK(events_after(2) == expected);
  CHECK(events_after(2) == expected);  // still given up: no new event
  CHECK(receiver.request_count("/hook") == static_cast<int>(expected.size()));
}

TEST_CASE("a webhook that never answers does not push the run past its deadline", "[pm2][alert]") {
  TestApp app("it-policy-hung-hook", 39157);
  LoopbackHttpServer receiver;
  receiver.set_route("/hook", Route{.hang = true});
  TempDir dir;
  // The channel's own timeout is far beyond the run's deadline of 6 s.
  auto config = dir.write("config.toml", policy_config(app, "", "grace = \"0s\"\nbackoff = \"0s\"\n") +
                                             fmt::format("\n[[alert]]\nwebhook = \"{}\"\ntimeout = \"10m\"\n",
                                                         receiver.url("/hook")));
  app.set_mode("503");
  const long restarts_before = Pm2Engine::restart_count(app.name());
  // run_monitor fails the test if the run is still going 4 s after its deadline.
  auto run = run_monitor({"--once", "--deadline", "6s", "-c", config},
                         {{"no_proxy", "127.0.0.1"}, {"NO_PROXY", "127.0.0.1"}}, Duration{10000});
  INFO("stderr:\n" << run.err);
  CHECK(run.exit_code == 1);  // the restart worked; the alert's failure does not change the outcome
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);
  CHECK(receiver.request_count("/hook") >= 1);
  CHECK_THAT(run.err, Catch::Contains("webhook") && Catch::Contains(receiver.url("/hook")));
}
