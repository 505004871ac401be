#include "systemd_harness.hpp"

#include <signal.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <expected>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

namespace pm::it {
namespace {

const EngineRegistration systemd_registration("systemd", &SystemdEngine::unavailable_reason);

// STATE_DIR/env, or why it cannot be used. Never fails the test: the engine
// check and destructors use it too.
std::expected<EnvList, std::string> read_env_file() {
  std::string path = SystemdEngine::state_dir() + "/env";
  std::ifstream in(path);
  if (!in) return std::unexpected(fmt::format("no {} (written by tests/engines/systemd/start.sh)", path));
  EnvList env;
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos && eq > 0) env.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  for (const char* wanted : {"XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS"}) {
    bool found = false;
    for (const auto& [name, value] : env) found = found || (name == wanted && !value.empty());
    if (!found) return std::unexpected(fmt::format("{} has no {}", path, wanted));
  }
  return env;
}

std::string value_of(const EnvList& env, const std::string& name) {
  for (const auto& [key, value] : env) {
    if (key == name) return value;
  }
  return "";
}

// `systemctl --user args...` with the manager's environment; unexpected when
// it cannot be run at all. Never fails the test.
std::expected<ExecResult, std::string> exec_systemctl(const EnvList& env,
                                                      const std::vector<std::string>& args,
                                                      Duration limit = Duration{60000}) {
  ProcessRunner runner;
  ExecRequest request;
  request.argv = {"systemctl", "--user", "--no-pager"};
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  request.env_overrides = env;
  request.env_overrides.emplace_back("HOME", SystemdEngine::state_dir() + "/home");
  request.env_overrides.emplace_back("SYSTEMD_PAGER", "");
  request.deadline = Deadline::after(limit);
  return runner.run(request);
}

std::string shown(const std::vector<std::string>& args) {
  std::string text = "systemctl --user";
  for (const auto& arg : args) text += " " + arg;
  return text;
}

// The state letter of /proc/PID/stat ('Z' for a zombie), or 0 when there is no such process.
char process_state(long pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return 0;
  return text[paren + 2];
}

}  // namespace

std::string SystemdEngine::state_dir() { return std::string(PM_ENGINE_STATE_DIR) + "/systemd"; }

EnvList SystemdEngine::env() {
  auto env = read_env_file();
  INFO((env ? "" : env.error()));
  REQUIRE(env);
  return *env;
}

std::string SystemdEngine::unit_dir() { return value_of(env(), "XDG_RUNTIME_DIR") + "/systemd/user"; }

std::optional<std::string> SystemdEngine::unavailable_reason() {
  std::string pid_path = state_dir() + "/manager.pid";
  std::ifstream pid_file(pid_path);
  long pid = 0;
  if (!(pid_file >> pid) || pid <= 0 || kill(static_cast<pid_t>(pid), 0) != 0 || process_state(pid) == 'Z') {
    return fmt::format(
        "no systemd user manager runs for {} (no live pid in {}; ctest starts it with "
        "tests/engines/systemd/start.sh, tests/engines/systemd/install.sh installs it)",
        state_dir(), pid_path);
  }
  auto env = read_env_file();
  if (!env) return env.error();
  auto answer = exec_systemctl(*env, {"show", "--property=Version", "--value"}, Duration{15000});
  if (!answer) return "systemctl cannot be run: " + answer.error();
  if (!answer->succeeded() || answer->out.empty()) {
    return fmt::format("the user manager (pid {}) does not answer 'systemctl --user show': {}: {}", pid,
                       answer->describe(), answer->last_output_line());
  }
  if (access(kBusybox, X_OK) != 0) {
    return fmt::format("{} is missing (busybox-static; tests/engines/systemd/install.sh installs it)",
                       kBusybox);
  }
  return std::nullopt;
}

ExecResult SystemdEngine::try_systemctl(std::vector<std::string> args) {
  auto result = exec_systemctl(env(), args);
  INFO(shown(args) << (result ? "" : ": " + result.error()));
  REQUIRE(result);
  return *result;
}

ExecResult SystemdEngine::systemctl(std::vector<std::string> args) {
  ExecResult result = try_systemctl(args);
  INFO(shown(args) << ": " << result.describe() << "\n" << result.out << result.err);
  REQUIRE(result.succeeded());
  return result;
}

std::map<std::string, std::string> SystemdEngine::show(const std::string& unit,
                                                       const std::vector<std::string>& properties) {
  std::string list;
  for (const auto& name : properties) list += (list.empty() ? "" : ",") + name;
  ExecResult result = systemctl({"show", "-p", list, unit});
  std::map<std::string, std::string> values;
  std::istringstream lines(result.out);
  std::string line;
  while (std::getline(lines, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  for (const auto& name : properties) {
    INFO("systemctl --user show -p " << list << " " << unit << ":\n" << result.out);
    REQUIRE(values.contains(name));
  }
  return values;
}

std::string SystemdEngine::property(const std::string& unit, const std::string& name) {
  return show(unit, {name}).at(name);
}

void SystemdEngine::daemon_reload() { systemctl({"daemon-reload"}); }

void SystemdEngine::wait_for(const std::string& unit, const std::string& name, const std::string& want) {
  std::string seen;
  if (eventually([&] { return (seen = property(unit, name)) == want; })) return;
  FAIL(unit << ": " << name << " did not become " << want << " (still " << seen << ")");
}

TestUnit::TestUnit(std::string name, Options options) : name_(std::move(name)), options_(std::move(options)) {
  // Left over from an interrupted earlier run (same manager): gone first.
  SystemdEngine::try_systemctl({"stop", unit()});
  SystemdEngine::try_systemctl({"unmask", unit()});
  SystemdEngine::try_systemctl({"reset-failed", unit()});
  {
    std::ofstream out(file(), std::ios::trunc);
    out << unit_text();
    REQUIRE(out.good());
  }
  SystemdEngine::daemon_reload();
  REQUIRE(prop("LoadState") == "loaded");
  if (!options_.start) return;
  SystemdEngine::systemctl({"start", unit()});
  wait_ready();
}

TestUnit::~TestUnit() {
  // No REQUIRE here: a destructor may run while a failed assertion unwinds.
  auto env = read_env_file();
  if (!env) return;
  (void)exec_systemctl(*env, {"stop", unit()});
  (void)exec_systemctl(*env, {"reset-failed", unit()});
  if (masked_) (void)exec_systemctl(*env, {"unmask", unit()});
  std::remove((value_of(*env, "XDG_RUNTIME_DIR") + "/systemd/user/" + unit()).c_str());
  (void)exec_systemctl(*env, {"daemon-reload"});
}

std::string TestUnit::unit_text() const {
  std::string text = fmt::format("[Unit]\nDescription=process-monitor integration test unit {}\n", name_);
  for (const auto& line : options_.unit_lines) text += line + "\n";
  text += "\n[Service]\nTimeoutStopSec=10s\n";
  if (options_.http_port > 0) {
    text += fmt::format("ExecStartPre=/bin/sh -c 'echo ok > {}/health'\n", dir());
    text += fmt::format("ExecStart={} httpd -f -p 127.0.0.1:{} -h {}\n", kBusybox, options_.http_port, dir());
  } else {
    text += "ExecStart=" + options_.exec_start + "\n";
  }
  for (const auto& line : options_.service_lines) text += line + "\n";
  return text;
}

std::string TestUnit::health_url() const {
  return fmt::format("http://127.0.0.1:{}/health", options_.http_port);
}

long TestUnit::main_pid() const { return std::stol(prop("MainPID")); }
long TestUnit::n_restarts() const { return std::stol(prop("NRestarts")); }

void TestUnit::wait_ready() const {
  SystemdEngine::wait_for(unit(), "ActiveState", "active");
  if (options_.http_port > 0) {
    long seen = 0;
    if (!eventually([&] { return (seen = http_get(health_url())) == 200; })) {
      FAIL(unit() << ": " << health_url() << " did not answer 200 (last: " << seen << ")");
    }
  }
}

void TestUnit::kill_main_process() const {
  long pid = main_pid();
  REQUIRE(pid > 0);
  INFO("kill -KILL " << pid << " (MainPID of " << unit() << ")");
  REQUIRE(::kill(static_cast<pid_t>(pid), SIGKILL) == 0);
  std::string seen;
  if (!eventually([&] { return (seen = prop("MainPID")) != std::to_string(pid); })) {
    FAIL(unit() << ": systemd did not notice that MainPID " << pid << " was killed");
  }
}

void TestUnit::break_health_url() const {
  REQUIRE(options_.http_port > 0);
  REQUIRE(std::remove((dir() + "/health").c_str()) == 0);
  REQUIRE(http_get(health_url()) == 404);
}

void TestUnit::mask() {
  SystemdEngine::systemctl({"mask", unit()});
  masked_ = true;
  SystemdEngine::daemon_reload();
  REQUIRE(prop("LoadState") == "masked");
}

std::string systemd_config_head(const std::string& extra_systemd) {
  return fmt::format("[systemd]\nscope = \"user\"\n{}\n[monitor]\nverify_interval = \"200ms\"\n\n",
                     extra_systemd);
}

}  // namespace pm::it
