// Log rotation (issue 6) through the real binary: `rotate` with PM2's own
// reopen (pm2 reloadLogs) under a writer logging every 0.3 ms, copytruncate
// under a writer that never reopens, rotation after the checks of --once,
// a group that cannot rotate, and the monitor's own --log-file. Writers are
// tests/engines/common/log-writer run by the real PM2 daemon; the check is
// that every line they wrote is in exactly one file afterwards.
#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "engine_harness.hpp"
#include "log_lines.hpp"

using namespace pm;
using namespace pm::it;
using Catch::Matchers::Contains;

namespace fs = boost::filesystem;

namespace {

// log-writer run by PM2 as `name` with `args` (PATH TAG INTERVAL_US), its
// stdout and stderr in `out` and `err`; stopped (SIGINT) and deleted at
// destruction or stop().
class Pm2Writer {
 public:
  Pm2Writer(std::string name, const std::vector<std::string>& args, const std::string& out,
            const std::string& err)
      : name_(std::move(name)) {
    Pm2Engine::try_run({"delete", name_});
    std::vector<std::string> start{
        "start", PM_LOG_WRITER, "--name", name_, "--interpreter", "none", "--no-autorestart", "--output",
        out,     "--error",     err,      "--"};
    start.insert(start.end(), args.begin(), args.end());
    Pm2Engine::run(start);
  }
  ~Pm2Writer() { Pm2Engine::try_run({"delete", name_}); }
  void stop() { Pm2Engine::run({"stop", name_}); }

 private:
  std::string name_;
};

}  // namespace

TEST_CASE("PM2's own log files rotate by copytruncate under a busy app: every line in exactly one file",
          "[pm2][rotate]") {
  TempDir dir;
  const std::string out = dir.path() + "/app-out.log";
  // The app prints as fast as it can; PM2 appends what it prints to `out` (O_APPEND).
  Pm2Writer writer("it-rotate-pm2-ct", {"-", "pct", "0"}, out, dir.path() + "/app-err.log");
  auto config =
      dir.write("config.toml", fmt::format("[[logs]]\npaths = [\"{}\"]\nmax_size = \"512K\"\n"
                                           "keep = 50\ncompress = true\nmethod = \"copytruncate\"\n",
                                           out));
  int rotations = 0;
  for (int attempt = 0; attempt < 12 && rotations < 4; ++attempt) {
    wait_for_size(out, 600 * 1024);
    auto run = run_monitor({"rotate", "-c", config, "--state-dir", dir.path() + "/state"});
    INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.out.find("may be lost") == std::string::npos);
    if (run.out.find("rotated " + out) != std::string::npos) ++rotations;
  }
  CHECK(rotations == 4);
  writer.stop();
  check_every_line_once(out, "pct", 1000);
}

// pm2 reloadLogs itself drops lines at busy moments: PM2 6.0.8's
// _reloadLogs (lib/God/ForkMode.js) destroy()s its write streams, losing
// what they buffer, and drops output that arrives before the new files are
// open. So this test asserts what process-monitor controls (the reload is
// asked for and PM2 writes to the new file afterwards; no line doubled or
// torn) and reports PM2's loss; README tells PM2 users to use copytruncate.
TEST_CASE("rename + pm2 reloadLogs: PM2 reopens its files, nothing doubled or torn, PM2's own loss reported",
          "[pm2][rotate]") {
  TempDir dir;
  const std::string out = dir.path() + "/writer-out.log";
  Pm2Writer writer("it-rotate-reload", {"-", "pm2", "20"}, out, dir.path() + "/writer-err.log");
  auto config =
      dir.write("config.toml", pm2_table() + fmt::format("[[logs]]\npaths = [\"{}\"]\nmax_size = \"32K\"\n"
                                                         "keep = 50\ncompress = true\n"
                                                         "reopen = {{ pm2 = \"it-rotate-reload\" }}\n",
                                                         out));
  for (int i = 0; i < 6; ++i) {
    wait_for_size(out, 64 * 1024);  // from the second run on: only if PM2 reopened the new file
    auto run = run_monitor({"rotate", "-c", config, "--state-dir", dir.path() + "/state"});
    INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.out, Contains("rotated " + out + " -> " + out + ".1") && Contains("reopened: ") &&
                            Contains("reloadLogs"));
  }
  writer.stop();
  auto tally = tally_lines(log_family(out), "pm2");
  std::string problems;
  for (const auto& problem : tally.problems) {
    if (problem.find("missing") == std::string::npos) problems += problem + "\n";
  }
  INFO("problems other than missing lines:\n" << problems);
  CHECK(problems.empty());
  CHECK(tally.highest >= 1000);
  WARN("pm2 reloadLogs, 6 reloads: " << tally.missing << " of " << tally.highest
                                     << " lines lost inside PM2 (see README: use copytruncate for PM2 logs)");
}

TEST_CASE("copytruncate under a writer that never reopens: every line in exactly one file", "[pm2][rotate]") {
  TempDir dir;
  const std::string live = dir.path() + "/direct.log";
  Pm2Writer writer("it-rotate-copytruncate", {live, "ct", "0"}, dir.path() + "/out.log",
                   dir.path() + "/err.log");
  // As fast as it can write. copytruncate cuts only where a line ends on a filesystem block boundary
  // (so the collapse splits no line): at 1M there are 256 of them, and a
  // run that finds none says so and waits for the file to grow.
  auto config = dir.write("config.toml", fmt::format("[[logs]]\npaths = [\"{}\"]\nmax_size = \"1M\"\n"
                                                     "keep = 50\nmethod = \"copytruncate\"\n",
                                                     live));
  const std::string state_dir = dir.path() + "/state";
  int rotations = 0;
  for (int attempt = 0; attempt < 12 && rotations < 4; ++attempt) {
    wait_for_size(live, 2 * 1024 * 1024);
    auto run = run_monitor({"rotate", "-c", config, "--state-dir", state_dir});
    INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.out.find("may be lost") == std::string::npos);  // ext4 here: the lossless collapse
    if (run.out.find("rotated " + live) != std::string::npos) {
      ++rotations;
    } else {
      CHECK_THAT(run.out, Contains("no line ends on a filesystem block boundary yet"));
    }
  }
  CHECK(rotations == 4);
  writer.stop();
  auto last = read_text(live + ".last");
  REQUIRE_FALSE(last.empty());
  check_every_line_once(live, "ct", std::stoul(last));
  CHECK(tally_lines(log_family(live), "ct").highest == std::stoul(last));
}

TEST_CASE("rename + SIGHUP by pidfile under a writer as fast as it can: every line in exactly one file",
          "[pm2][rotate]") {
  TempDir dir;
  const std::string live = dir.path() + "/signalled.log";
  Pm2Writer writer("it-rotate-signal", {live, "sig", "0"}, dir.path() + "/out.log", dir.path() + "/err.log");
  // PM2 keeps each app's pid in PM2_HOME/pids/NAME-ID.pid (root's, 0644).
  std::string pidfile;
  for (fs::directory_iterator it(Pm2Engine::home() + "/pids"), end; it != end; ++it) {
    if (it->path().filename().string().starts_with("it-rotate-signal-")) pidfile = it->path().string();
  }
  REQUIRE_FALSE(pidfile.empty());
  auto config =
      dir.write("config.toml", fmt::format("[[logs]]\npaths = [\"{}\"]\nmax_size = \"1M\"\nkeep = 50\n"
                                           "compress = true\n"
                                           "reopen = {{ pidfile = \"{}\", signal = \"HUP\" }}\n",
                                           live, pidfile));
  for (int i = 0; i < 8; ++i) {
    wait_for_size(live, 2 * 1024 * 1024);
    auto run = run_monitor({"rotate", "-c", config, "--state-dir", dir.path() + "/state"});
    INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.out, Contains("rotated " + live) && Contains("reopened: sent SIGHUP to pid"));
  }
  writer.stop();
  auto last = read_text(live + ".last");
  REQUIRE_FALSE(last.empty());
  check_every_line_once(live, "sig", std::stoul(last));
  CHECK(tally_lines(log_family(live), "sig").highest == std::stoul(last));
}

TEST_CASE("rotate --dry-run says what would rotate and touches nothing", "[pm2][rotate]") {
  TempDir dir;
  const std::string live = dir.write("app.log", std::string(3000, 'x') + "\n");
  auto config =
      dir.write("config.toml", fmt::format("[[logs]]\npaths = [\"{}\"]\nmax_size = \"1K\"\n", live));
  auto run = run_monitor({"rotate", "--dry-run", "-c", config, "--state-dir", dir.path() + "/state"});
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Contains("would rotate " + live + " -> " + live + ".1"));
  CHECK(log_family(live) == std::vector<std::string>{live});
  CHECK(fs::file_size(live) == 3001);
}

TEST_CASE(
    "a run with --once checks, then rotates: a due group rotates on a quiet healthy run that prints nothing",
    "[pm2][rotate]") {
  TestApp app("it-rotate-once", 39145);
  TempDir dir;
  const std::string live = dir.write("app.log", std::string(3000, 'x') + "\n");
  auto config = dir.write(
      "config.toml",
      pm2_table() +
          fmt::format("[[service]]\nname = \"{}\"\nbackend = \"pm2\"\n[service.health]\nurl = \"{}\"\n\n"
                      "[[logs]]\npaths = [\"{}\"]\nmax_size = \"1K\"\n",
                      app.name(), app.health_url(), live));
  auto run = run_monitor({"--once", "-q", "-c", config, "--state-dir", dir.path() + "/state"});
  CHECK(run.exit_code == 0);
  CHECK(run.out.empty());
  CHECK(run.err.empty());
  CHECK(fs::file_size(live + ".1") == 3001);
  CHECK(fs::file_size(live) == 0);
}

TEST_CASE("a group that cannot rotate (a symlinked live file) fails the run with exit 2 and keeps the file",
          "[pm2][rotate]") {
  TestApp app("it-rotate-refused", 39146);
  TempDir dir;
  const std::string target = dir.write("real.log", std::string(3000, 'y') + "\n");
  const std::string link = dir.path() + "/linked.log";
  REQUIRE(symlink(target.c_str(), link.c_str()) == 0);
  auto config = dir.write(
      "config.toml",
      pm2_table() +
          fmt::format("[[service]]\nname = \"{}\"\nbackend = \"pm2\"\n[service.health]\nurl = \"{}\"\n\n"
                      "[[logs]]\npaths = [\"{}\"]\nmax_size = \"1K\"\n",
                      app.name(), app.health_url(), link));
  auto run = run_monitor({"--once", "-q", "-c", config, "--state-dir", dir.path() + "/state"});
  INFO("stderr:\n" << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Contains("error: logs: ") && Contains(link) && Contains("symbolic link"));
  CHECK(fs::file_size(target) == 3001);
  CHECK(fs::is_symlink(link));
}

TEST_CASE("the monitor's own --log-file rotates past [monitor] log_max_size and keeps every line",
          "[pm2][rotate]") {
  TestApp app("it-rotate-own-log", 39147);
  TempDir dir;
  const std::string log = dir.write("monitor.log", std::string(70000, 'z') + "\n");
  auto config =
      dir.write("config.toml", pm2_table() + fmt::format("[monitor]\nlog_max_size = \"64K\"\nlog_keep = 2\n\n"
                                                         "[[service]]\nname = \"{}\"\nbackend = \"pm2\"\n"
                                                         "[service.health]\nurl = \"{}\"\n",
                                                         app.name(), app.health_url()));
  auto run = run_monitor({"--once", "--log-file", log, "-c", config, "--state-dir", dir.path() + "/state"});
  INFO("stderr:\n" << run.err);
  CHECK(run.exit_code == 0);
  // The old content moved on (the newest rotated file stays uncompressed:
  // delay_compress), and so did this run's own lines after the rename: its
  // sink still had the renamed file open. The next run opens the new file.
  REQUIRE(fs::exists(log + ".1"));
  auto old_lines = read_log_lines(log + ".1");
  REQUIRE_FALSE(old_lines.empty());
  CHECK(old_lines.front() == std::string(70000, 'z'));
  CHECK_THAT(read_text(log + ".1"), Contains("logs: rotated " + log + " -> " + log + ".1"));
  REQUIRE(fs::exists(log));
  const auto rotated_size = fs::file_size(log + ".1");
  app.set_mode("503");  // something for the next run to log: a restart
  CHECK(run_monitor({"--once", "--log-file", log, "-c", config, "--state-dir", dir.path() + "/state"})
            .exit_code == 1);
  CHECK_THAT(read_text(log), Contains(app.name()));  // the next run writes to the new file, not due yet
  CHECK(fs::file_size(log + ".1") == rotated_size);
}

TEST_CASE("bad paths fail their group with a clear error and touch nothing: no match, a directory",
          "[pm2][rotate]") {
  TempDir dir;
  const std::string kept = dir.write("kept.log", std::string(3000, 'k') + "\n");
  fs::create_directories(dir.path() + "/adir.log");
  auto config =
      dir.write("config.toml", fmt::format("[[logs]]\npaths = [\"{0}/none-*.log\"]\nmax_size = \"1K\"\n\n"
                                           "[[logs]]\npaths = [\"{0}/adir.log\"]\nmax_size = \"1K\"\n\n"
                                           "[[logs]]\npaths = [\"{1}\"]\nmax_size = \"1K\"\n",
                                           dir.path(), kept));
  auto run = run_monitor({"rotate", "-c", config, "--state-dir", dir.path() + "/state"});
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Contains(dir.path() + "/none-*.log") && Contains("matches no log file"));
  CHECK_THAT(run.err, Contains(dir.path() + "/adir.log") && Contains("is a directory"));
  // One group's failure stops no other group.
  CHECK_THAT(run.out, Contains("rotated " + kept));
  CHECK(fs::is_directory(dir.path() + "/adir.log"));
}

namespace {

// A tmpfs of `kib` KiB mounted on a new directory in `parent`, unmounted at
// destruction; needs root (CI runs as root: there a failure to mount fails).
class SmallTmpfs {
 public:
  SmallTmpfs(const std::string& parent, int kib) : path_(parent + "/small") {
    fs::create_directories(path_);
    chmod(path_.c_str(), 0755);
    ProcessRunner runner;
    ExecRequest request;
    request.argv = {"mount", "-t", "tmpfs", "-o", fmt::format("size={}k,mode=0755", kib), "tmpfs", path_};
    request.deadline = Deadline::after(Duration{10000});
    auto result = runner.run(request);
    mounted_ = result && result->exit_code == 0;
    if (!mounted_) error_ = result ? result->err : result.error();
  }
  ~SmallTmpfs() {
    if (!mounted_) return;
    ProcessRunner runner;
    ExecRequest request;
    request.argv = {"umount", path_};
    request.deadline = Deadline::after(Duration{10000});
    (void)runner.run(request);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

}  // namespace

TEST_CASE("a full disk fails the group with the error and loses nothing", "[pm2][rotate]") {
  TempDir dir;
  SmallTmpfs small(dir.path(), 96);
  if (!small.mounted()) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true")
      FAIL("CI=true and a tmpfs cannot be mounted: " << small.error());
    WARN("not run: a tmpfs cannot be mounted here (needs root): " << small.error());
    return;
  }
  // 60K of incompressible lines in 96K: the rename needs no space, the gzip does not fit.
  std::string text;
  unsigned state = 12345;
  while (text.size() < 60 * 1024) {
    for (int i = 0; i < 60; ++i) {
      state = state * 1103515245u + 12345u;
      text.push_back(static_cast<char>('!' + (state >> 16) % 90));
    }
    text.push_back('\n');
  }
  const std::string live = small.path() + "/full.log";
  std::ofstream(live, std::ios::binary) << text;
  auto config = dir.write("config.toml", fmt::format("[[logs]]\npaths = [\"{}\"]\nmax_size = \"1K\"\n"
                                                     "compress = true\n",
                                                     live));
  auto run = run_monitor({"rotate", "-c", config, "--state-dir", dir.path() + "/state"});
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Contains("No space left on device"));
  // Every byte is still in a file: the rotated one, uncompressed, and no partial file left.
  std::string all;
  for (const auto& file : log_family(live)) all += file.ends_with(".gz") ? std::string() : read_text(file);
  CHECK(all == text);
  for (fs::directory_iterator it(small.path()), end; it != end; ++it) {
    CHECK(it->path().filename().string().find("pm-partial") == std::string::npos);
  }
}
