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
  Pm2Writer(std::string name, const std::vector<std::string>& args, const std::string& out, const std::string& err)
      : name_(std::move(name)) {
    Pm2Engine::try_run({"delete", name_});
    std::vector<std::string> start{"start", PM_LOG_WRITER, "--name", name_, "--interpreter", "none",
                                   "--no-autorestart", "--output", out, "--error", err, "--"};
    start.insert(start.end(), args.begin(), args.end());
    Pm2Engine::run(start);
  }
  ~Pm2Writer() { Pm2Engine::try_run({"delete", name_}); }
  void stop() { Pm2Engine::run({"stop", name_}); }

 private:
  std::string name_;
};

// Waits until `path` holds at least `bytes`.
void wait_for_size(const std::string& path, std::uintmax_t bytes) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  boost::system::error_code error;
  while (fs::file_size(path, error) < bytes || error) {
    if (std::chrono::steady_clock::now() > until) FAIL(path << " did not reach " << bytes << " bytes");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void check_every_line_once(const std::string& live, const std::string& tag, unsigned long at_least) {
  auto files = log_family(live);
  auto tally = tally_lines(files, tag);
  std::string listing;
  for (const auto& file : files) listing += "  " + file + "\n";
  INFO("files:\n" << listing << "highest line " << tally.highest << ", lines " << tally.lines);
  for (const auto& problem : tally.problems) INFO(problem);
  CHECK(tally.problems.empty());
  CHECK(tally.lines == tally.highest);
  CHECK(tally.highest >= at_least);
}

}  // namespace

TEST_CASE("rotate with pm2 reloadLogs under a busy writer: every line in exactly one file", "[pm2][rotate]") {
  TempDir dir;
  const std::string out = dir.path() + "/writer-out.log";
  Pm2Writer writer("it-rotate-reload", {"-", "pm2", "300"}, out, dir.path() + "/writer-err.log");
  auto config = dir.write("config.toml", pm2_table() + fmt::format("[[logs]]\npaths = [\"{}\"]\nmax_size = \"4K\"\n"
                                                                   "keep = 50\ncompress = true\n"
                                                                   "reopen = {{ pm2 = \"it-rotate-reload\" }}\n",
                                                                   out));
  const std::string state_dir = dir.path() + "/state";
  int rotations = 0;
  for (int i = 0; i < 6; ++i) {
    wait_for_size(out, 5000);
    auto run = run_monitor({"rotate", "-c", config, "--state-dir", state_dir});
    INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.out, Contains("rotated " + out + " -> " + out + ".1") &&
                            Contains("reopened: ") && Contains("reloadLogs"));
    rotations += run.out.find("rotated ") != std::string::npos ? 1 : 0;
  }
  CHECK(rotations == 6);
  writer.stop();
  check_every_line_once(out, "pm2", 1000);
  // Compressed once PM2 had closed them: at least the older ones are .gz by now.
  CHECK(fs::exists(out + ".6.gz"));
}

TEST_CASE("copytruncate under a writer that never reopens: every line in exactly one file", "[pm2][rotate]") {
  TempDir dir;
  const std::string live = dir.path() + "/direct.log";
  Pm2Writer writer("it-rotate-copytruncate", {live, "ct", "50"}, dir.path() + "/out.log", dir.path() + "/err.log");
  // copytruncate cuts only where a line ends on a filesystem block boundary
  // (so the collapse splits no line): at 1M there are 256 of them, and a
  // run that finds none says so and waits for the file to grow.
  auto config = dir.write("config.toml", fmt::format("[[logs]]\npaths = [\"{}\"]\nmax_size = \"1M\"\n"
                                                     "keep = 50\nmethod = \"copytruncate\"\n",
                                                     live));
  const std::string state_dir = dir.path() + "/state";
  int rotations = 0;
  for (int attempt = 0; attempt < 12 && rotations < 4; ++attempt) {
    wait_for_size(live, 1100 * 1024);
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

TEST_CASE("rotate --dry-run says what would rotate and touches nothing", "[pm2][rotate]") {
  TempDir dir;
  const std::string live = dir.write("app.log", std::string(3000, 'x') + "\n");
  auto config = dir.write("config.toml", fmt::format("[[logs]]\npaths = [\"{}\"]\nmax_size = \"1K\"\n", live));
  auto run = run_monitor({"rotate", "--dry-run", "-c", config, "--state-dir", dir.path() + "/state"});
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Contains("would rotate " + live + " -> " + live + ".1"));
  CHECK(log_family(live) == std::vector<std::string>{live});
  CHECK(fs::file_size(live) == 3001);
}

TEST_CASE("a run with --once checks, then rotates: a due group rotates on a quiet healthy run that prints nothing",
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
  auto config = dir.write("config.toml",
                          pm2_table() + fmt::format("[monitor]\nlog_max_size = \"64K\"\nlog_keep = 2\n\n"
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
  CHECK(run_monitor({"--once", "--log-file", log, "-c", config, "--state-dir", dir.path() + "/state"}).exit_code == 1);
  CHECK_THAT(read_text(log), Contains(app.name()));  // the next run writes to the new file, not due yet
  CHECK(fs::file_size(log + ".1") == rotated_size);
}
