// Fault injection (issue 10) that needs no engine: the real binary with
// probe-only services (backend "none") against misbehaving health URLs, a
// state directory that is read-only or full, a monitor killed during a
// restart, and a wall clock that stepped backwards between runs. Built into
// integration-pm2 (tag [pm2]) only to run beside the other run tests. Services
// are named it-fault-*; every server listens on an ephemeral loopback port.
#include <catch2/catch.hpp>

#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <atomic>
#include <boost/filesystem.hpp>
#include <fstream>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine_harness.hpp"
#include "fault_servers.hpp"

using namespace pm;
using namespace pm::it;

namespace fs = boost::filesystem;

namespace {

// A health server answering every request with `status` (and "ok").
FaultServer::Handler answering(const std::atomic<int>& status) {
  return [&status](FaultConnection& connection) {
    if (connection.read_request().empty()) return;
    connection.send(http_head(status.load(), 2) + "ok");
  };
}

// One probe-only service named `name` on `url`; `extra` goes into [[service]].
std::string none_service(const std::string& name, const std::string& url, const std::string& extra = "",
                         const std::string& health_extra = "") {
  return fmt::format(
      "[[service]]\nname = \"{}\"\nbackend = \"none\"\nverify_timeout = \"1s\"\n{}\n"
      "[service.health]\nurl = \"{}\"\ntimeout = \"1s\"\nretries = 0\n{}\n",
      name, extra, url, health_extra);
}

std::string config_head() { return "[monitor]\nverify_interval = \"200ms\"\n\n"; }

// An executable script at dir/name (a test fixture: src never runs a shell).
std::string write_script(const TempDir& dir, const std::string& name, const std::string& body) {
  std::string path = dir.write(name, "#!/bin/sh\n" + body);
  REQUIRE(chmod(path.c_str(), 0755) == 0);
  return path;
}

// The one *.state.json in `state_dir`.
std::string state_file_in(const std::string& state_dir) {
  std::vector<std::string> found;
  for (fs::directory_iterator it(state_dir), end; it != end; ++it) {
    std::string name = it->path().filename().string();
    if (name.size() > 11 && name.compare(name.size() - 11, 11, ".state.json") == 0) {
      found.push_back(it->path().string());
    }
  }
  REQUIRE(found.size() == 1);
  return found[0];
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir), end; it != end; ++it) names.push_back(it->path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

nlohmann::json service_history(const std::string& state_file, const std::string& name) {
  auto state = nlohmann::json::parse(read_text(state_file), nullptr, false);
  INFO("state file:\n" << read_text(state_file));
  REQUIRE_FALSE(state.is_discarded());
  REQUIRE(state["services"].contains(name));
  return state["services"][name];
}

std::size_t line_count(const std::string& path) {
  std::string text = read_text(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// A tmpfs of `size` at `dir`, in a mount namespace of this test process alone
// (ctest runs each test case in its own process; process-monitor, its child,
// inherits the namespace). Unmounted at destruction.
class PrivateTmpfs {
 public:
  PrivateTmpfs(std::string dir, const std::string& size) : dir_(std::move(dir)), size_(size) {
    INFO("a private tmpfs needs CAP_SYS_ADMIN (the integration tests run as root)");
    REQUIRE(unshare(CLONE_NEWNS) == 0);
    REQUIRE(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0);
    REQUIRE(mkdir(dir_.c_str(), 0700) == 0);
    REQUIRE(mount("tmpfs", dir_.c_str(), "tmpfs", 0, options().c_str()) == 0);
  }
  ~PrivateTmpfs() { umount2(dir_.c_str(), MNT_DETACH); }
  PrivateTmpfs(const PrivateTmpfs&) = delete;
  PrivateTmpfs& operator=(const PrivateTmpfs&) = delete;

  void set_read_only(bool read_only) const {
    unsigned long flags = MS_REMOUNT | (read_only ? MS_RDONLY : 0);
    REQUIRE(mount("tmpfs", dir_.c_str(), "tmpfs", flags, options().c_str()) == 0);
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string options() const { return "size=" + size_ + ",mode=0700"; }
  std::string dir_;
  std::string size_;
};

// Kills (SIGKILL, its whole process group) the process whose pid is the first
// line of `pid_file`, if any, at destruction: what a killed monitor left running.
struct KillLeftover {
  std::string pid_file;
  ~KillLeftover() {
    std::ifstream in(pid_file);
    long pid = 0;
    if (in >> pid && pid > 0) {
      ::kill(static_cast<pid_t>(-pid), SIGKILL);
      ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
  }
};

// A healthy probe-only service `name` whose state directory is a private
// tmpfs of `size`, after a first run that saved its state file there.
struct StateOnTmpfs {
  StateOnTmpfs(const std::string& name, const std::string& size)
      : server(answering(status)), tmpfs(dir.path() + "/state", size) {
    auto config = dir.write("config.toml", config_head() + none_service(name, server.url("/")));
    args = {"--once", "--state-dir", tmpfs.dir(), "-c", config};
    REQUIRE(run_monitor(args).exit_code == 0);
    state_file = state_file_in(tmpfs.dir());
    saved = read_text(state_file);
  }
  // Once the fault is gone: a run as usual, which saves the state file again.
  void check_next_run() const {
    auto next = run_monitor(args);
    CHECK(next.exit_code == 0);
    CHECK(next.err.find("error") == std::string::npos);
    CHECK(read_text(state_file) != saved);  // written_at moved on
  }

  std::atomic<int> status{200};
  FaultServer server;
  TempDir dir;
  PrivateTmpfs tmpfs;
  std::vector<std::string> args;
  std::string state_file;
  std::string saved;  // the state file after the first run
};

}  // namespace

TEST_CASE("a health URL that sends one byte every 100 ms forever is cut by its timeout: exit 2, then 0",
          "[pm2][faults]") {
  std::atomic<bool> trickle{true};
  FaultServer server([&trickle](FaultConnection& connection) {
    if (connection.read_request().empty()) return;
    if (!trickle) {
      connection.send(http_head(200, 2) + "ok");
      return;
    }
    const std::string answer = http_head(200, 1000000) + std::string(1000000, 'x');
    for (char byte : answer) {
      if (!connection.send(std::string_view(&byte, 1)) || !connection.pause(std::chrono::milliseconds(100)))
        return;
    }
  });
  TempDir dir;
  auto config = dir.write("config.toml", config_head() + none_service("it-fault-trickle", server.url("/")));
  const std::string state_dir = dir.path() + "/state";

  // The run's deadline (20 s) is far past the probe's 1 s: the probe must end it.
  auto run = run_monitor({"--once", "--json", "--deadline", "20s", "--state-dir", state_dir, "-c", config},
                         {}, Duration{60000});
  CHECK(run.exit_code == 2);
  auto report = parse_json(run);
  CHECK(report["deadline_reached"] == false);
  auto service = service_named(report, "it-fault-trickle");
  INFO(service.dump(2));
  CHECK(service["health"] == "unhealthy");
  CHECK_THAT(text_of(service["reason"]), Catch::Contains("timed out after 1s"));

  trickle = false;
  auto next = run_monitor({"--once", "--json", "--state-dir", state_dir, "-c", config});
  CHECK(next.exit_code == 0);
  CHECK(service_named(parse_json(next), "it-fault-trickle")["health"] == "healthy");
}

TEST_CASE("a health URL sending a body far past 10 MB is read up to its cap, in little memory",
          "[pm2][faults]") {
  // 256 MiB, made as it is sent: were the body read whole, it would be read
  // into memory past the bound below (a 10 MB body could hide under it).
  constexpr std::size_t kBody = 256u << 20;
  FaultServer server([](FaultConnection& connection) {
    if (connection.read_request().empty()) return;
    if (!connection.send(http_head(200, kBody))) return;
    const std::string chunk(64 * 1024, 'x');
    for (std::size_t sent = 0; sent < kBody; sent += chunk.size()) {
      if (!connection.send(chunk)) return;
    }
  });
  TempDir dir;
  auto config = dir.write("config.toml", config_head() + none_service("it-fault-big", server.url("/big")) +
                                             none_service("it-fault-big-needle", server.url("/big"), "",
                                                          "body_contains = \"needle\"\n"));
  // Nothing else was run by this test process: its children's peak is the monitor's.
  auto run = run_monitor({"--once", "--json", "--state-dir", dir.path() + "/state", "-c", config}, {},
                         Duration{60000});
  rusage children{};
  REQUIRE(getrusage(RUSAGE_CHILDREN, &children) == 0);
  CHECK(run.exit_code == 2);
  auto report = parse_json(run);
  auto plain = service_named(report, "it-fault-big");
  auto needle = service_named(report, "it-fault-big-needle");
  INFO(plain.dump(2) << "\n" << needle.dump(2));
  CHECK(plain["health"] == "healthy");
  CHECK(needle["health"] == "unhealthy");
  CHECK_THAT(text_of(needle["reason"]),
             Catch::Contains("body does not contain 'needle' (in its first 1 MiB)"));
  INFO("peak RSS of process-monitor: " << children.ru_maxrss << " KiB");
  // Half the body: a body read whole cannot stay under it, and a monitor
  // under ASan (about 100 MB here, shadow memory included) still does.
  CHECK(static_cast<std::size_t>(children.ru_maxrss) < kBody / 2 / 1024);
}

TEST_CASE("a health URL redirecting to itself is judged by its 302, never followed", "[pm2][faults]") {
  std::atomic<int> requests{0};
  FaultServer server([&requests](FaultConnection& connection) {
    std::string request = connection.read_request();
    if (request.empty()) return;
    ++requests;
    connection.send(http_head(302, 0, "Location: " + FaultConnection::path_of(request) + "\r\n"));
  });
  TempDir dir;
  auto config = dir.write(
      "config.toml",
      config_head() + none_service("it-fault-redirect", server.url("/loop")) +
          none_service("it-fault-redirect-200", server.url("/loop"), "", "expect_status = \"200\"\n"));
  auto run = run_monitor({"--once", "--json", "--state-dir", dir.path() + "/state", "-c", config});
  CHECK(run.exit_code == 2);
  auto report = parse_json(run);
  auto in_range = service_named(report, "it-fault-redirect");
  auto strict = service_named(report, "it-fault-redirect-200");
  INFO(in_range.dump(2) << "\n" << strict.dump(2));
  CHECK(in_range["health"] == "healthy");  // the default expect_status is 200-399
  CHECK(strict["health"] == "unhealthy");
  CHECK_THAT(text_of(strict["reason"]), Catch::Contains("status 302 not in 200"));
  CHECK(requests.load() == 2);  // one per service: the Location was not followed
}

TEST_CASE("a read-only state directory: exit 3 naming it, the state file kept, the next run fine",
          "[pm2][faults]") {
  StateOnTmpfs fixture("it-fault-rostate", "1m");
  fixture.tmpfs.set_read_only(true);
  fixture.status = 503;  // were the run to go on, it would report exit 2
  auto run = run_monitor(fixture.args);
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.err, Catch::Contains("cannot write to state directory " + fixture.tmpfs.dir() +
                                      ": Read-only file system"));
  CHECK(read_text(fixture.state_file) == fixture.saved);

  fixture.tmpfs.set_read_only(false);
  fixture.status = 200;
  fixture.check_next_run();
}

TEST_CASE("a full disk while saving state: the error names the file and ENOSPC, the old file survives",
          "[pm2][faults]") {
  StateOnTmpfs fixture("it-fault-fullstate", "64k");
  const auto files_before = names_in(fixture.tmpfs.dir());
  const std::string filler = fixture.tmpfs.dir() + "/filler";
  {
    std::ofstream out(filler, std::ios::binary);
    const std::string block(4096, 'f');
    while (out.write(block.data(), static_cast<std::streamsize>(block.size())) && out.flush()) {
    }
  }
  auto run = run_monitor(fixture.args);
  // The save failing does not change what the run found (README: the exit code stays the run's).
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.err, Catch::Contains("cannot save state file " + fixture.state_file) &&
                          Catch::Contains("No space left on device") &&
                          Catch::Contains("the previous state file is kept"));
  CHECK(read_text(fixture.state_file) == fixture.saved);
  fs::remove(filler);
  CHECK(names_in(fixture.tmpfs.dir()) == files_before);  // no temporary file left behind
  fixture.check_next_run();
}

TEST_CASE("the monitor SIGKILLed during a restart: the next run sees the restart once and stays in grace",
          "[pm2][faults]") {
  std::atomic<int> status{503};
  FaultServer server(answering(status));
  TempDir dir;
  const std::string restarts = dir.path() + "/restarts";  // one pid per restart started
  KillLeftover leftover{restarts};
  // A restart that takes 60 s: the monitor is killed long before it ends.
  auto slow_restart =
      write_script(dir, "slow-restart", fmt::format("echo $$ >> {}\nexec sleep 60\n", restarts));
  auto config = dir.write(
      "config.toml",
      config_head() + none_service("it-fault-killed", server.url("/"),
                                   fmt::format("restart_command = [\"{}\"]\nrestart_timeout = \"90s\"\n"
                                               "grace = \"5m\"",
                                               slow_restart)));
  const std::string state_dir = dir.path() + "/state";
  const std::vector<std::string> args{"--once", "--json", "--state-dir", state_dir, "-c", config};

  {
    BackgroundMonitor killed(args);
    REQUIRE(eventually([&] { return line_count(restarts) == 1; }));
  }  // SIGKILL (BackgroundMonitor's destructor), in the middle of the restart

  // A consistent state file that counts the restart once, and a lock that died with the process.
  const std::string state_file = state_file_in(state_dir);
  auto history = service_history(state_file, "it-fault-killed");
  CHECK(history["restarts_total"] == 1);
  CHECK(history["restart_times"].size() == 1);
  CHECK(history["last_restart"].is_number_integer());

  auto next = run_monitor(args);
  CHECK(next.exit_code == 2);  // still failing, and in grace: not restarted again
  auto service = service_named(parse_json(next), "it-fault-killed");
  INFO(service.dump(2));
  CHECK(service["action"] == "none");
  CHECK_THAT(text_of(service["policy"]), Catch::Contains("in grace"));
  CHECK(line_count(restarts) == 1);
  CHECK(service_history(state_file, "it-fault-killed")["restarts_total"] == 1);
}

TEST_CASE("the wall clock stepped back an hour between runs: no restart early, none stalled for the hour",
          "[pm2][faults]") {
  std::atomic<int> status{503};
  FaultServer server(answering(status));
  TempDir dir;
  const std::string restarts = dir.path() + "/restarts";
  auto restart = write_script(dir, "restart", fmt::format("echo $$ >> {}\n", restarts));
  auto config = dir.write(
      "config.toml",
      config_head() +
          none_service(
              "it-fault-clock", server.url("/"),
              fmt::format("restart_command = [\"{}\"]\ngrace = \"20s\"\nbackoff = \"20s\"", restart)));
  const std::string state_dir = dir.path() + "/state";
  const std::vector<std::string> args{"--once", "--json", "--state-dir", state_dir, "-c", config};

  auto first = run_monitor(args);
  REQUIRE(first.exit_code == 2);  // restarted, and still failing
  REQUIRE(line_count(restarts) == 1);

  // This machine's clock cannot be stepped: move every time in the state file
  // an hour ahead instead, which is what the next run sees after a step back.
  const std::string state_file = state_file_in(state_dir);
  auto state = nlohmann::json::parse(read_text(state_file));
  constexpr std::int64_t kHourMs = 3600 * 1000;
  auto shift = [](nlohmann::json& value) {
    if (value.is_number_integer()) value = value.get<std::int64_t>() + kHourMs;
  };
  shift(state["written_at"]);
  auto& history = state["services"]["it-fault-clock"];
  for (const char* key :
       {"last_restart", "next_restart_at", "healthy_since", "gave_up_at", "paused_until", "last_seen"}) {
    shift(history[key]);
  }
  for (auto& time : history["restart_times"]) shift(time);
  INFO("shifted state: " << state.dump(2));
  std::ofstream(state_file, std::ios::trunc) << state.dump();

  auto soon = run_monitor(args);
  CHECK(soon.exit_code == 2);
  auto service = service_named(parse_json(soon), "it-fault-clock");
  INFO(service.dump(2));
  CHECK(service["action"] == "none");  // still in its 20 s of grace: not restarted early
  CHECK(line_count(restarts) == 1);

  // Once grace and backoff (20 s each, from the restart) are over, it is
  // restarted again: not an hour later. 120 s means "never".
  CHECK(eventually(
      [&] {
        run_monitor(args);
        return line_count(restarts) >= 2;
      },
      Duration{120000}));
  CHECK(line_count(restarts) == 2);
}
