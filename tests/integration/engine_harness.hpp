#pragma once
// What the integration tests need around the real binary: configs in a
// temporary directory, a way to run process-monitor and read its exit code
// and output, and a registry of engine checks for integration_main.cpp.
// The PM2 parts (the private daemon started by tests/engines/pm2/start.sh and
// test apps in it) live here too; other engines have their own harness
// (docker_harness.hpp).
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/pm2_jlist.hpp"
#include "util/exec.hpp"

namespace pm::it {

using EnvList = std::vector<std::pair<std::string, std::string>>;

// Why an engine cannot be used, or nothing when it is up.
using EngineCheck = std::optional<std::string> (*)();

// Each engine harness registers its check under the engine's name with a
// namespace-scope `const EngineRegistration`; integration_main.cpp runs the
// one named by PM_ENGINE.
struct EngineRegistration {
  EngineRegistration(std::string name, EngineCheck check);
};
// The check registered as `name`, or nullptr.
EngineCheck find_engine_check(const std::string& name);

// A fresh directory under the engine state dir, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `text` to path()/name and returns the full path.
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

struct Pm2Engine {
  static std::string binary();  // the pinned pm2 from tests/engines/pm2
  static std::string home();    // the PM2_HOME start.sh was given
  // Why the engine cannot be used, or nothing when it is up.
  static std::optional<std::string> unavailable_reason();
  // Runs pm2 in the test PM2_HOME; fails the test if it does not succeed.
  static ExecResult run(std::vector<std::string> args, const EnvList& env = {});
  // The same, whatever the outcome.
  static ExecResult try_run(std::vector<std::string> args, const EnvList& env = {});
  static std::vector<Pm2Process> jlist();
  // The sum of restart_time over the instances named `name` (-1 if absent).
  static long restart_count(const std::string& name);
  static std::string status(const std::string& name);
};

// A copy of tests/engines/pm2/health-app.js run by PM2 as `name` on `port`,
// deleted from PM2 at destruction. Waits until it listens.
class TestApp {
 public:
  struct Options {
    bool autorestart = true;
    std::string sticky_mode;  // written to the sticky mode file: survives restarts
    EnvList env;
  };
  TestApp(std::string name, int port, Options options);
  TestApp(std::string name, int port) : TestApp(std::move(name), port, Options{}) {}
  ~TestApp();

  std::string health_url() const;
  // In-memory mode (cleared by a restart): "ok", "503", "hang", "crash".
  void set_mode(const std::string& mode) const;
  // Mode that survives restarts.
  void set_sticky_mode(const std::string& mode) const;
  void wait_listening() const;
  const std::string& name() const { return name_; }
  int port() const { return port_; }

 private:
  std::string name_;
  int port_;
  TempDir dir_;
};

struct MonitorRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  Duration elapsed{0};
};

struct HttpAnswer {
  long status = 0;  // 0 when no HTTP answer came
  std::string body;
};
// HTTP GET with a short timeout, no proxy.
HttpAnswer http_fetch(const std::string& url);
// http_fetch's status code, 0 on failure.
long http_get(const std::string& url);

// Runs the real process-monitor binary with `args`; fails the test if it
// does not exit within `limit`.
MonitorRun run_monitor(std::vector<std::string> args, const EnvList& env = {},
                       Duration limit = Duration{120000});

// process-monitor started with `args` (in run_monitor's environment) that
// goes on running beside the test: an --interval loop, or one of many runs
// started at once. stdout and stderr go to files, read when it has ended.
class BackgroundMonitor {
 public:
  explicit BackgroundMonitor(const std::vector<std::string>& args);
  ~BackgroundMonitor();  // SIGKILLs it if it still runs
  BackgroundMonitor(const BackgroundMonitor&) = delete;
  BackgroundMonitor& operator=(const BackgroundMonitor&) = delete;

  // Its outcome once it has exited (without waiting), else nothing.
  std::optional<MonitorRun> poll();
  // Waits up to `limit` for it to exit; SIGKILLs it and fails the test when it does not.
  MonitorRun wait(Duration limit);
  // SIGTERM, then wait(limit).
  MonitorRun stop(Duration limit = Duration{30000});
  // Sends `signal_number` (SIGHUP: reload) while it runs.
  void signal(int signal_number) const;
  // What it has written to stderr so far.
  std::string err_so_far() const;

 private:
  MonitorRun collect(int status) const;

  TempDir outputs_;
  pid_t pid_ = -1;
};

// The --json output of `run` (a report, or a status); fails the test when
// stdout is not JSON with a "services" list.
nlohmann::json parse_json(const MonitorRun& run);
// The report's entry for the service `name`; fails the test when there is none.
nlohmann::json service_named(const nlohmann::json& report, const std::string& name);
// Polls `done` every 100 ms until it is true (true) or `limit` passes
// (false); the default is long enough to mean "never".
bool eventually(const std::function<bool()>& done, Duration limit = Duration{60000});

// The whole content of the file at `path` ("" when it cannot be read).
std::string read_text(const std::string& path);
// A JSON string's text, "" for null or any other type.
std::string text_of(const nlohmann::json& value);

// A [pm2] table pointing at the test engine, for configs.
std::string pm2_table();

}  // namespace pm::it
