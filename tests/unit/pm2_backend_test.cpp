#include <catch2/catch.hpp>

#include <unistd.h>

#include <boost/filesystem.hpp>
#include <fstream>

#include "backend/pm2_backend.hpp"
#include "fakes.hpp"
#include "test_data.hpp"

using namespace pm;

namespace {

// A PM2_HOME whose pm2.pid names a live process (this test).
struct FakePm2Home {
  boost::filesystem::path dir = boost::filesystem::temp_directory_path() / boost::filesystem::unique_path();
  FakePm2Home() {
    boost::filesystem::create_directories(dir);
    std::ofstream(dir / "pm2.pid") << getpid();
  }
  ~FakePm2Home() { boost::filesystem::remove_all(dir); }
};

// Answers jlist with a recorded real output.
struct JlistRunner : test::FakeRunner {
  std::string jlist;
  std::expected<ExecResult, std::string> run(const ExecRequest& request) override {
    auto result = FakeRunner::run(request);
    last_env = request.env_overrides;
    if (result && request.argv.size() > 1 && request.argv[1] == "jlist") result->out = jlist;
    return result;
  }
  std::vector<std::pair<std::string, std::string>> last_env;
};

}  // namespace

TEST_CASE("observe runs one jlist for every target, in the configured PM2_HOME", "[pm2]") {
  FakePm2Home home;
  JlistRunner runner;
  runner.jlist = test::read_test_data("pm2/jlist-mixed.json");
  Pm2Settings settings;
  settings.binary = "/opt/pm2/bin/pm2";
  settings.home = home.dir.string();
  Pm2Backend backend(settings, runner);
  auto status = backend.observe({"api", "web", "ghost"}, Deadline::after(Duration{1000}));
  REQUIRE(status);
  CHECK(runner.commands.size() == 1);
  CHECK(runner.commands[0] == std::vector<std::string>{"/opt/pm2/bin/pm2", "jlist"});
  CHECK(runner.last_env == std::vector<std::pair<std::string, std::string>>{{"PM2_HOME", home.dir.string()}});
  CHECK(status->at("api").front().state == UnitState::Running);
  CHECK(status->at("ghost").front().state == UnitState::Missing);
}

TEST_CASE("a PM2 daemon that is not running is reported without starting one", "[pm2]") {
  test::FakeRunner runner;
  Pm2Settings settings;
  settings.home = "/nonexistent/pm2-home";
  Pm2Backend backend(settings, runner);
  auto status = backend.observe({"api"}, Deadline::after(Duration{1000}));
  REQUIRE_FALSE(status);
  CHECK_THAT(status.error(),
             Catch::Contains("PM2 daemon is not running (no pid in /nonexistent/pm2-home/pm2.pid)"));
  CHECK(runner.commands.empty());  // any pm2 command would have spawned a daemon
}

TEST_CASE("pm2 missing from PATH, failing, or printing garbage is an engine error", "[pm2]") {
  FakePm2Home home;
  Pm2Settings settings;
  settings.home = home.dir.string();
  SECTION("not installed") {
    test::FakeRunner runner;
    runner.spawn_error = "cannot run 'pm2': No such file or directory";
    Pm2Backend backend(settings, runner);
    CHECK_THAT(backend.observe({"api"}, Deadline::never()).error(), Catch::Contains("cannot run 'pm2'"));
  }
  SECTION("non-zero exit") {
    test::FakeRunner runner;
    runner.exit_code = 1;
    runner.stderr_text = "[PM2][ERROR] Permission denied\n";
    Pm2Backend backend(settings, runner);
    CHECK_THAT(backend.observe({"api"}, Deadline::never()).error(),
               Catch::Contains("'pm2 jlist' exited with status 1: [PM2][ERROR] Permission denied"));
  }
  SECTION("garbage") {
    JlistRunner runner;
    runner.jlist = "<html>not pm2</html>\n";
    Pm2Backend backend(settings, runner);
    CHECK_THAT(backend.observe({"api"}, Deadline::never()).error(), Catch::Contains("printed no JSON list"));
  }
}

TEST_CASE("restart goes by pm_id, every instance of a cluster in one call", "[pm2]") {
  FakePm2Home home;
  test::FakeRunner runner;
  Pm2Settings settings;
  settings.home = home.dir.string();
  Pm2Backend backend(settings, runner);
  UnitStatus web = test::running({10, 11});
  web.handles = {"1", "2"};
  ServiceConfig service;
  service.name = service.target = "web";
  auto done = backend.restart(service, web, Deadline::after(Duration{1000}));
  REQUIRE(done);
  CHECK(*done == "pm2 restart 1 2");
  CHECK(runner.commands[0] == std::vector<std::string>{"pm2", "restart", "1", "2"});

  SECTION("an app missing from the list cannot be restarted by pm2") {
    ServiceConfig ghost;
    ghost.name = ghost.target = "ghost";
    auto missing =
        backend.restart(ghost, test::with_state(UnitState::Missing, "not in pm2 list"), Deadline::never());
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error(), Catch::Contains("'ghost' is not in the pm2 list"));
    CHECK(runner.commands.size() == 1);
  }
}
