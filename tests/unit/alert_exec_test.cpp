// AlertSender's exec channels: on a recording fake runner, and for real.
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "alert/alert_sender.hpp"

using namespace std::chrono_literals;
using pm::AlertChannelConfig;
using pm::AlertEvent;
using pm::AlertSender;
using pm::Deadline;
using pm::Duration;
using pm::ExecRequest;
using pm::ExecResult;

namespace {

constexpr auto kGenerous = 5s;

// Records every request; answers with the scripted exit codes in order (the
// last one repeats), or with `start_error` when set. Channels run on their
// own threads, hence the lock.
class RecordingRunner : public pm::CommandRunner {
 public:
  std::expected<ExecResult, std::string> run(const ExecRequest& request) override {
    std::lock_guard lock(mutex_);
    requests.push_back(request);
    if (!start_error.empty()) return std::unexpected(start_error);
    ExecResult result;
    const std::size_t index = std::min(requests.size() - 1, exit_codes.size() - 1);
    result.exit_code = exit_codes[index];
    if (result.exit_code != 0) result.err = "hook: cannot reach pager\n";
    return result;
  }

  std::vector<ExecRequest> requests;
  std::vector<int> exit_codes{0};
  std::string start_error;

 private:
  std::mutex mutex_;
};

AlertEvent event(std::string kind) {
  AlertEvent e;
  e.kind = std::move(kind);
  e.service = "api";
  e.backend = "docker";
  e.reason = "status 503 not in 200-399";
  e.host = "web-1";
  e.time = pm::WallTime{std::chrono::sys_days{2024y / 5 / 1}.time_since_epoch() + 12h};
  return e;
}

AlertChannelConfig hook(std::vector<std::string> argv) {
  AlertChannelConfig channel;
  channel.kind = AlertChannelConfig::Exec;
  channel.argv = std::move(argv);
  channel.retry_delay = Duration{10};
  return channel;
}

std::map<std::string, std::string> env_of(const ExecRequest& request) {
  return {request.env_overrides.begin(), request.env_overrides.end()};
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pm-alert-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const char* name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("exec: the hook gets its argv and the event in its environment", "[alert][exec]") {
  RecordingRunner runner;
  AlertChannelConfig channel = hook({"/usr/local/bin/notify", "--team", "ops"});
  channel.timeout = Duration{7000};
  const auto deadline = Deadline::after(20s);
  auto results = AlertSender({channel}, runner).send({event("became-unhealthy")}, deadline);

  REQUIRE(results.size() == 1);
  CHECK(results[0].delivered);
  CHECK(results[0].attempts == 1);
  CHECK(results[0].channel == "exec /usr/local/bin/notify");
  REQUIRE(runner.requests.size() == 1);
  const ExecRequest& request = runner.requests[0];
  CHECK(request.argv == std::vector<std::string>{"/usr/local/bin/notify", "--team", "ops"});
  auto env = env_of(request);
  CHECK(env["PM_EVENT"] == "became-unhealthy");
  CHECK(env["PM_SERVICE"] == "api");
  CHECK(env["PM_BACKEND"] == "docker");
  CHECK(env["PM_REASON"] == "status 503 not in 200-399");
  CHECK(env["PM_HOST"] == "web-1");
  CHECK(env["PM_TIME"] == "2024-05-01T12:00:00Z");
  CHECK(env["PM_SUMMARY"] == "process-monitor on web-1: api became unhealthy: status 503 not in 200-399");
  CHECK(nlohmann::json::parse(env["PM_EVENT_JSON"]) == pm::to_json(event("became-unhealthy")));
  // Its own timeout, inside the send's deadline.
  CHECK(request.deadline.at() <= deadline.at());
  CHECK(request.deadline.remaining() <= Duration{7000});
  CHECK(request.deadline.remaining() > Duration{5000});
}

TEST_CASE("exec: a failing hook is retried, then reported with its last line", "[alert][exec]") {
  RecordingRunner runner;
  runner.exit_codes = {1, 0};
  auto retried = AlertSender({hook({"notify"})}, runner).send({event("gave-up")}, Deadline::after(20s));
  REQUIRE(retried.size() == 1);
  CHECK(retried[0].delivered);
  CHECK(retried[0].attempts == 2);

  RecordingRunner failing;
  failing.exit_codes = {3};
  AlertChannelConfig channel = hook({"notify"});
  channel.retries = 2;
  auto results = AlertSender({channel}, failing).send({event("gave-up")}, Deadline::after(20s));
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].delivered);
  CHECK(results[0].attempts == 3);
  CHECK(results[0].error == "exited with status 3: hook: cannot reach pager; after 3 attempts");
}

TEST_CASE("exec: a program that cannot start is not retried", "[alert][exec]") {
  RecordingRunner runner;
  runner.start_error = "cannot run 'nope': No such file or directory (is it installed and in PATH?)";
  AlertChannelConfig channel = hook({"nope"});
  channel.retries = 3;
  auto results = AlertSender({channel}, runner).send({event("gave-up")}, Deadline::after(20s));
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].delivered);
  CHECK(results[0].attempts == 1);
  CHECK(results[0].error == runner.start_error);
}

TEST_CASE("exec: event filtering and an empty command", "[alert][exec]") {
  RecordingRunner runner;
  AlertChannelConfig recoveries = hook({"notify"});
  recoveries.events = {"recovered"};
  auto results = AlertSender({recoveries, hook({})}, runner)
                     .send({event("became-unhealthy"), event("recovered")}, Deadline::after(20s));
  REQUIRE(results.size() == 3);
  CHECK(results[0].event == "recovered");
  CHECK(results[0].delivered);
  CHECK(results[1].error == "no command to run");
  CHECK(results[2].error == "no command to run");
  REQUIRE(runner.requests.size() == 1);
  CHECK(env_of(runner.requests[0])["PM_EVENT"] == "recovered");
}

TEST_CASE("exec: a real hook program sees the event", "[alert][exec]") {
  TempDir dir;
  const std::string out = dir.file("service");
  const std::string json = dir.file("event.json");
  // A shell is fine as the hook a test configures; the monitor itself never runs one.
  AlertChannelConfig channel =
      hook({"sh", "-c", "printf %s \"$PM_SERVICE\" > \"$1\"; printf %s \"$PM_EVENT_JSON\" > \"$2\"", "hook",
            out, json});
  pm::ProcessRunner runner;
  auto results = AlertSender({channel}, runner).send({event("recovered")}, Deadline::after(20s));

  REQUIRE(results.size() == 1);
  CHECK(results[0].delivered);
  CHECK(read_file(out) == "api");
  CHECK(nlohmann::json::parse(read_file(json)) == pm::to_json(event("recovered")));
}

TEST_CASE("exec: a real hook that fails or hangs", "[alert][exec]") {
  pm::ProcessRunner runner;
  auto failed = AlertSender({hook({"sh", "-c", "echo 'no route to pager' >&2; exit 4"})}, runner)
                    .send({event("gave-up")}, Deadline::after(20s));
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].error == "exited with status 4: no route to pager; after 2 attempts");

  AlertChannelConfig hanging = hook({"sleep", "30"});
  hanging.timeout = Duration{30000};
  const auto start = std::chrono::steady_clock::now();
  auto results = AlertSender({hanging}, runner).send({event("gave-up")}, Deadline::after(300ms));
  CHECK(std::chrono::steady_clock::now() - start < kGenerous);
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].delivered);
  CHECK(results[0].error.starts_with("timed out after "));
}
