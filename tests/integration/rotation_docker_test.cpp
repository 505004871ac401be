// Log rotation (issue 6) with Docker's reopen, through the real binary:
// `rotate` renames the log of a writer running in a container of the test
// engine (tests/engines/docker), then has the engine signal the container
// (POST /containers/NAME/kill?signal=). The writer is
// tests/engines/common/log-writer (static), bind-mounted read-only into a
// pm-test/busybox:1 container and writing as fast as it can into a
// bind-mounted host directory; the container's init (--init) passes signals
// on to it. `docker stop` (SIGTERM) makes it write LIVE.last, the last line it
// wrote. The check is that every line it wrote is in exactly one file.
#include <catch2/catch.hpp>

#include <string>

#include <fmt/format.h>

#include "docker_harness.hpp"
#include "log_lines.hpp"

using namespace pm;
using namespace pm::it;
using Catch::Matchers::Contains;

namespace {

// A container running log-writer, which appends "TAG n ..." lines with no
// pause between them to /logs/`file`: `dir`/`file` on the host.
TestContainer::Options writing_into(const std::string& dir, const std::string& file, const std::string& tag) {
  TestContainer::Options options;
  options.binds = {std::string(PM_LOG_WRITER) + ":/log-writer:ro", dir + ":/logs"};
  options.command = fmt::format("exec /log-writer /logs/{} {} 0", file, tag);
  return options;
}

// The test engine's [docker] table and one [[logs]] group for `live` that
// rotates past 1M, compresses, and has the engine signal `container`.
std::string rotation_config(const std::string& live, const std::string& container,
                            const std::string& signal) {
  return docker_table() + fmt::format(
                              "[[logs]]\npaths = [\"{}\"]\nmax_size = \"1M\"\nkeep = 50\ncompress = true\n"
                              "reopen = {{ docker = \"{}\", signal = \"{}\" }}\n",
                              live, container, signal);
}

// `runs` rotations of a busy writer's log, each followed by `signal` to its
// container through the engine.
void rotate_under_signalled_container(const std::string& name, const std::string& signal, int runs) {
  TempDir dir;
  const std::string live = dir.path() + "/app.log";
  TestContainer writer(name, writing_into(dir.path(), "app.log", "dk"));
  const std::string started = DockerEngine::started_at(name);
  auto config = dir.write("config.toml", rotation_config(live, name, signal));
  auto done = rotate_while_writing(live, config, dir.path() + "/state", runs, 2 * 1024 * 1024,
                                   fmt::format("docker kill --signal {} {}", signal, name));
  check_reopened_in_each_run(done, live);
  // Signalled, never restarted: the same process wrote every line.
  CHECK(DockerEngine::started_at(name) == started);
  CHECK(DockerEngine::restart_count(name) == 0);
  CHECK(writer.stop() == 0);
  check_compressed_rotations(live, "dk", runs);
}

}  // namespace

// Catch2 2.13's console reporter breaks on long names with a late ": ": keep it early.
TEST_CASE("rotate + docker kill --signal HUP to a busy writer: every line in exactly one file",
          "[docker][rotate]") {
  rotate_under_signalled_container("it-dk-rotate-hup", "HUP", 6);
}

TEST_CASE("rotate + docker kill --signal USR1 to a busy writer: every line in exactly one file",
          "[docker][rotate]") {
  rotate_under_signalled_container("it-dk-rotate-usr1", "USR1", 3);
}

TEST_CASE(
    "rotate with a reopen of a container that does not exist: exit 2 naming it, and the "
    "writer keeps writing into the renamed file, losing no line",
    "[docker][rotate]") {
  TempDir dir;
  const std::string live = dir.path() + "/orphan.log";
  TestContainer writer("it-dk-rotate-orphan", writing_into(dir.path(), "orphan.log", "orphan"));
  auto config = dir.write("config.toml", rotation_config(live, "it-dk-rotate-absent", "HUP"));
  auto run = rotate_with_failing_reopen(live, config, dir.path() + "/state");
  INFO("stderr:\n" << run.err);
  CHECK_THAT(run.err, Contains("no container it-dk-rotate-absent") && Contains("nothing is lost"));
  check_writer_kept_renamed_file(live);
  CHECK(writer.stop() == 0);
  check_every_written_line_once(live, "orphan");
}
