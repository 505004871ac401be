// Log rotation (issue 6) with systemd's reopen, through the real binary:
// `rotate` renames the log of a writer that runs as a unit of the test user
// manager (tests/engines/systemd), then asks the manager over D-Bus to signal
// the unit's main process (KillUnit, whom "main"). The writer is
// tests/engines/common/log-writer as the unit's ExecStart, writing as fast as
// it can; stopping the unit (SIGTERM) makes it write LIVE.last, the last line
// it wrote. The check is that every line it wrote is in exactly one file.
#include <catch2/catch.hpp>

#include <string>

#include <fmt/format.h>

#include "log_lines.hpp"
#include "systemd_harness.hpp"

using namespace pm;
using namespace pm::it;
using Catch::Matchers::Contains;

namespace {

// A unit whose main process is log-writer appending "TAG n ..." lines to
// `live` with no pause between them.
TestUnit::Options writing_to(const std::string& live, const std::string& tag) {
  TestUnit::Options options;
  options.exec_start = fmt::format("{} {} {} 0", PM_LOG_WRITER, live, tag);
  return options;
}

// One [[logs]] group for `live` that rotates past 1M, compresses, and tells
// the writer to reopen with `reopen` (the inside of the inline table).
std::string rotation_config(const std::string& live, const std::string& reopen) {
  return fmt::format(
      "[[logs]]\npaths = [\"{}\"]\nmax_size = \"1M\"\nkeep = 50\ncompress = true\nreopen = {{ {} }}\n", live,
      reopen);
}

// Stops the writer's unit: systemd sends SIGTERM, the writer writes
// LIVE.last and exits 0.
void stop_writer(const TestUnit& unit) {
  SystemdEngine::systemctl({"stop", unit.unit()});
  CHECK(unit.prop("Result") == "success");
  CHECK(unit.prop("ExecMainStatus") == "0");
}

// `runs` rotations of a busy writer's log, each followed by
// `signal` to the unit's main process through the user manager.
void rotate_under_signalled_unit(const std::string& name, const std::string& signal, int runs) {
  TempDir dir;
  const std::string live = dir.path() + "/unit.log";
  TestUnit writer(name, writing_to(live, "sd"));
  const long pid = writer.main_pid();
  REQUIRE(pid > 0);
  // The unit without its type, and only the reopen's own scope: ".service"
  // and "user/" are added from these.
  auto config = dir.write(
      "config.toml", rotation_config(live, fmt::format("systemd = \"{}\", scope = \"user\", signal = \"{}\"",
                                                       name, signal)));
  const std::string reopened =
      fmt::format("systemctl --user kill --kill-whom=main --signal=SIG{} {}", signal, writer.unit());
  auto done = rotate_while_writing(live, config, dir.path() + "/state", runs, 2 * 1024 * 1024, reopened,
                                   SystemdEngine::env());
  check_reopened_in_each_run(done, live);
  // Signalled, never restarted: the same process wrote every line.
  CHECK(writer.main_pid() == pid);
  CHECK(writer.n_restarts() == 0);
  stop_writer(writer);
  check_compressed_rotations(live, "sd", runs);
}

}  // namespace

// Catch2 2.13's console reporter breaks on long names with a late ": ": keep it early.
TEST_CASE("rotate + SIGHUP to a unit's busy writer (KillUnit main): every line in exactly one file",
          "[systemd][rotate]") {
  rotate_under_signalled_unit("it-rotate-sd-hup", "HUP", 6);
}

TEST_CASE("rotate + SIGUSR1 to a unit's busy writer (KillUnit main): every line in exactly one file",
          "[systemd][rotate]") {
  rotate_under_signalled_unit("it-rotate-sd-usr1", "USR1", 3);
}

TEST_CASE(
    "rotate with a reopen of a unit that does not exist: exit 2 naming it, and the writer "
    "keeps writing into the renamed file, losing no line",
    "[systemd][rotate]") {
  TempDir dir;
  const std::string live = dir.path() + "/orphan.log";
  TestUnit writer("it-rotate-sd-orphan", writing_to(live, "orphan"));
  auto config =
      dir.write("config.toml", rotation_config(live, "systemd = \"it-rotate-sd-absent\", scope = \"user\""));
  auto run = rotate_with_failing_reopen(live, config, dir.path() + "/state", SystemdEngine::env());
  INFO("stderr:\n" << run.err);
  CHECK_THAT(run.err,
             Contains("it-rotate-sd-absent.service") && Contains("not found") && Contains("nothing is lost"));
  check_writer_kept_renamed_file(live);
  stop_writer(writer);
  check_every_written_line_once(live, "orphan");
}
