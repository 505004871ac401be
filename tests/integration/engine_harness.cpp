#include "engine_harness.hpp"

#include "util/curl_global.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <boost/filesystem.hpp>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <thread>

#include <fmt/format.h>

namespace fs = boost::filesystem;

namespace pm::it {

HttpAnswer http_fetch(const std::string& url) {
  HttpAnswer answer;
  if (!ensure_curl_initialized()) return answer;  // libcurl is loaded on first use
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 2000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t count, void* body) {
        static_cast<std::string*>(body)->append(data, size * count);
        return size * count;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  curl_easy_cleanup(curl);
  return answer;
}

long http_get(const std::string& url) { return http_fetch(url).status; }

namespace {

std::map<std::string, EngineCheck>& engine_checks() {
  static std::map<std::string, EngineCheck> checks;  // built on first use: no static order problem
  return checks;
}

const EngineRegistration pm2_registration("pm2", &Pm2Engine::unavailable_reason);

}  // namespace

EngineRegistration::EngineRegistration(std::string name, EngineCheck check) {
  engine_checks()[std::move(name)] = check;
}

EngineCheck find_engine_check(const std::string& name) {
  auto it = engine_checks().find(name);
  return it == engine_checks().end() ? nullptr : it->second;
}

TempDir::TempDir() {
  fs::path base = fs::path(PM_ENGINE_STATE_DIR) / "tmp";
  fs::create_directories(base);
  path_ = (base / fs::unique_path("%%%%-%%%%-%%%%")).string();
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  boost::system::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::string TempDir::write(const std::string& name, const std::string& text) const {
  std::string file = path_ + "/" + name;
  std::ofstream(file, std::ios::trunc) << text;
  // As root, process-monitor refuses a config that group or others may
  // write (config/file_trust): whatever the umask, the tests' files are 0644.
  ::chmod(file.c_str(), 0644);
  return file;
}

std::string Pm2Engine::binary() { return std::string(PM_ENGINES_DIR) + "/pm2/node_modules/.bin/pm2"; }
std::string Pm2Engine::home() { return std::string(PM_ENGINE_STATE_DIR) + "/pm2-home"; }

std::optional<std::string> Pm2Engine::unavailable_reason() {
  if (access(binary().c_str(), X_OK) != 0) {
    return fmt::format("pm2 is not installed at {} (run scripts/install-deps.sh)", binary());
  }
  std::ifstream pid_file(home() + "/pm2.pid");
  long pid = 0;
  if (!(pid_file >> pid) || kill(static_cast<pid_t>(pid), 0) != 0) {
    return fmt::format("no PM2 daemon runs in {} (ctest starts it with tests/engines/pm2/start.sh)", home());
  }
  return std::nullopt;
}

ExecResult Pm2Engine::try_run(std::vector<std::string> args, const EnvList& env) {
  ProcessRunner runner;
  ExecRequest request;
  request.argv = {binary()};
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  request.env_overrides = env;
  request.env_overrides.emplace_back("PM2_HOME", home());
  request.deadline = Deadline::after(Duration{60000});
  auto result = runner.run(request);
  REQUIRE(result);
  return *result;
}

ExecResult Pm2Engine::run(std::vector<std::string> args, const EnvList& env) {
  ExecResult result = try_run(args, env);
  INFO("pm2 " << args[0] << ": " << result.describe() << "\n" << result.out << result.err);
  REQUIRE(result.succeeded());
  return result;
}

std::vector<Pm2Process> Pm2Engine::jlist() {
  auto parsed = parse_pm2_jlist(run({"jlist"}).out);
  REQUIRE(parsed);
  return *parsed;
}

long Pm2Engine::restart_count(const std::string& name) {
  long total = -1;
  for (const auto& process : jlist()) {
    if (process.name == name) total = (total < 0 ? 0 : total) + process.restart_time;
  }
  return total;
}

std::string Pm2Engine::status(const std::string& name) {
  for (const auto& process : jlist()) {
    if (process.name == name) return process.status;
  }
  return "absent";
}

TestApp::TestApp(std::string name, int port, Options options) : name_(std::move(name)), port_(port) {
  std::string sticky = dir_.write("sticky-mode", options.sticky_mode);
  EnvList env = options.env;
  env.emplace_back("PORT", std::to_string(port_));
  env.emplace_back("STICKY_MODE_FILE", sticky);
  std::vector<std::string> args{"start", std::string(PM_ENGINES_DIR) + "/pm2/health-app.js", "--name", name_};
  if (!options.autorestart) args.push_back("--no-autorestart");
  Pm2Engine::try_run({"delete", name_});  // left over from an interrupted earlier run
  Pm2Engine::run(args, env);
  wait_listening();
}

TestApp::~TestApp() { Pm2Engine::try_run({"delete", name_}); }

std::string TestApp::health_url() const { return fmt::format("http://127.0.0.1:{}/health", port_); }

void TestApp::set_mode(const std::string& mode) const {
  http_get(fmt::format("http://127.0.0.1:{}/control?mode={}", port_, mode));
}

void TestApp::set_sticky_mode(const std::string& mode) const { dir_.write("sticky-mode", mode); }

void TestApp::wait_listening() const {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until) {
    if (http_get(fmt::format("http://127.0.0.1:{}/nothing", port_)) == 404) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // What PM2 made of it, for the failure message (the app's stderr shows a crash or EADDRINUSE).
  std::string log = read_text(fmt::format("{}/logs/{}-error.log", Pm2Engine::home(), name_));
  if (log.size() > 2000) log = log.substr(log.size() - 2000);
  FAIL("test app " << name_ << " did not listen on port " << port_
                   << " within 30 s; PM2 status: " << Pm2Engine::status(name_) << "; its error log ends:\n"
                   << log);
}

MonitorRun run_monitor(std::vector<std::string> args, const EnvList& env, Duration limit) {
  ProcessRunner runner;
  ExecRequest request;
  request.argv = {PM_BINARY};
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  // Restart history goes under the build tree, never into /var/lib (each
  // config path has its own state file there).
  request.env_overrides = {{"PROCESS_MONITOR_STATE_DIR", std::string(PM_ENGINE_STATE_DIR) + "/state"}};
  request.env_overrides.insert(request.env_overrides.end(), env.begin(), env.end());
  request.deadline = Deadline::after(limit);
  auto result = runner.run(request);
  if (!result) FAIL("cannot run process-monitor: " << result.error());
  INFO("process-monitor stdout:\n" << result->out << "\nstderr:\n" << result->err);
  REQUIRE_FALSE(result->timed_out);
  REQUIRE(result->signal == 0);
  return MonitorRun{result->exit_code, result->out, result->err, result->elapsed};
}

bool eventually(const std::function<bool()>& done, Duration limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

BackgroundMonitor::BackgroundMonitor(const std::vector<std::string>& args) {
  std::vector<std::string> env_text{"PROCESS_MONITOR_STATE_DIR=" + std::string(PM_ENGINE_STATE_DIR) +
                                    "/state"};
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "PROCESS_MONITOR_STATE_DIR=", 26) != 0) env_text.emplace_back(*entry);
  }
  std::vector<char*> envp;
  for (auto& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_text{PM_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string out = outputs_.path() + "/out", err = outputs_.path() + "/err";
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int spawned = posix_spawn(&pid_, PM_BINARY, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    pid_ = -1;
    FAIL("posix_spawn " << PM_BINARY << ": " << std::strerror(spawned));
  }
}

BackgroundMonitor::~BackgroundMonitor() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

MonitorRun BackgroundMonitor::collect(int status) const {
  MonitorRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.out = read_text(outputs_.path() + "/out");
  run.err = read_text(outputs_.path() + "/err");
  return run;
}

std::optional<MonitorRun> BackgroundMonitor::poll() {
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
  pid_ = -1;
  return collect(status);
}

MonitorRun BackgroundMonitor::wait(Duration limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (auto run = poll()) return *run;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (auto run = poll()) return *run;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  INFO("stderr:\n" << read_text(outputs_.path() + "/err"));
  FAIL("process-monitor did not exit within " << format_duration(limit));
  return {};
}

MonitorRun BackgroundMonitor::stop(Duration limit) {
  if (pid_ > 0) kill(pid_, SIGTERM);
  return wait(limit);
}

void BackgroundMonitor::signal(int signal_number) const {
  if (pid_ > 0) kill(pid_, signal_number);
}

std::string BackgroundMonitor::err_so_far() const { return read_text(outputs_.path() + "/err"); }

nlohmann::json parse_json(const MonitorRun& run) {
  INFO("stdout: " << run.out << "\nstderr: " << run.err);
  auto parsed = nlohmann::json::parse(run.out, nullptr, false);
  REQUIRE_FALSE(parsed.is_discarded());
  REQUIRE(parsed["services"].is_array());
  return parsed;
}

nlohmann::json service_named(const nlohmann::json& report, const std::string& name) {
  for (const auto& service : report["services"]) {
    if (service["name"] == name) return service;
  }
  FAIL("no service " << name << " in the report:\n" << report.dump(2));
  return nullptr;
}

std::string text_of(const nlohmann::json& value) { return value.is_string() ? value.get<std::string>() : ""; }

std::string pm2_table() {
  return fmt::format("[pm2]\nbinary = \"{}\"\nhome = \"{}\"\n\n", Pm2Engine::binary(), Pm2Engine::home());
}

}  // namespace pm::it
