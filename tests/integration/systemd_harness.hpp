#pragma once
// The systemd parts of the integration harness: the private systemd user
// manager started by tests/engines/systemd/start.sh (ctest fixture "engine:
// systemd start", state dir PM_ENGINE_STATE_DIR/systemd), reached with the
// environment start.sh writes to STATE_DIR/env, and test units in its runtime
// unit dir ($XDG_RUNTIME_DIR/systemd/user), driven with `systemctl --user`.
//
// systemctl runs outside the manager's mount namespace, where it believes the
// machine is offline: `mask`/`unmask` are then done client-side in
// $HOME/.config/systemd/user, so every systemctl call gets HOME=STATE_DIR/home
// (the manager's HOME), as tests/data/systemd/README.md says.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine_harness.hpp"

namespace pm::it {

// busybox-static's binary (tests/engines/systemd/install.sh): httpd for units
// with a health URL.
inline constexpr const char* kBusybox = "/bin/busybox";

struct SystemdEngine {
  static std::string state_dir();  // what start.sh was given
  // XDG_RUNTIME_DIR and DBUS_SESSION_BUS_ADDRESS from STATE_DIR/env: what a
  // process needs to reach the user manager. Fails the test when unreadable.
  static EnvList env();
  static std::string unit_dir();  // $XDG_RUNTIME_DIR/systemd/user
  // Why the engine cannot be used, or nothing when the manager's pid is alive
  // and `systemctl --user` answers.
  static std::optional<std::string> unavailable_reason();
  // Runs `systemctl --user args...` against the manager; fails the test if it
  // does not succeed.
  static ExecResult systemctl(std::vector<std::string> args);
  // The same, whatever the outcome.
  static ExecResult try_systemctl(std::vector<std::string> args);
  // `systemctl --user show -p A,B,... unit`: property name -> value.
  static std::map<std::string, std::string> show(const std::string& unit,
                                                 const std::vector<std::string>& properties);
  static std::string property(const std::string& unit, const std::string& name);
  static void daemon_reload();
  // Waits (up to a hang-detecting 60 s) until `name` of `unit` is `want`;
  // fails the test otherwise.
  static void wait_for(const std::string& unit, const std::string& name, const std::string& want);
};

// A service unit written to the manager's runtime unit dir, loaded
// (daemon-reload) and started; at destruction stopped, unmasked, removed and
// reset-failed. The constructor waits until it is ready: active, and its
// health URL answering 200 when it has one.
class TestUnit {
 public:
  struct Options {
    // > 0: the unit runs busybox httpd on 127.0.0.1:http_port serving a
    // directory of its own; its ExecStartPre writes the file "health" ("ok")
    // there, so every start makes the health URL answer 200 again.
    int http_port = 0;
    std::string exec_start = "/bin/sleep infinity";  // without http_port
    std::vector<std::string> unit_lines;             // extra [Unit] lines
    std::vector<std::string> service_lines;          // extra [Service] lines ("Restart=always")
    bool start = true;                               // false: only loaded, left inactive
  };
  TestUnit(std::string name, Options options);
  explicit TestUnit(std::string name) : TestUnit(std::move(name), Options{}) {}
  ~TestUnit();
  TestUnit(const TestUnit&) = delete;
  TestUnit& operator=(const TestUnit&) = delete;

  const std::string& name() const { return name_; }  // the service name in configs
  std::string unit() const { return name_ + ".service"; }
  bool has_health_url() const { return options_.http_port > 0; }
  std::string health_url() const;
  const std::string& dir() const { return dir_.path(); }  // the unit's own scratch dir

  std::string prop(const std::string& name) const { return SystemdEngine::property(unit(), name); }
  long main_pid() const;
  long n_restarts() const;

  // SIGKILL to the unit's main process (from outside systemd, as a crash or
  // the OOM killer would); waits until systemd noticed (MainPID gone).
  void kill_main_process() const;
  // Removes the health file: the health URL answers 404 until the next start.
  void break_health_url() const;
  // `systemctl --user mask` (with the manager's HOME) and daemon-reload.
  void mask();
  void wait_ready() const;

 private:
  std::string file() const { return SystemdEngine::unit_dir() + "/" + unit(); }
  std::string unit_text() const;

  std::string name_;
  Options options_;
  TempDir dir_;
  bool masked_ = false;
};

// A config head for the test manager: [systemd] scope = "user" and a short
// verify interval.
std::string systemd_config_head(const std::string& extra_systemd = "");

}  // namespace pm::it
