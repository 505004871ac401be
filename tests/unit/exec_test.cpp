#include "util/exec.hpp"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "util/interrupt.hpp"

using namespace std::chrono_literals;
using pm::Deadline;
using pm::Duration;
using pm::ExecRequest;
using pm::ExecResult;
using pm::ProcessRunner;

namespace {

// Deadlines in these tests are short, and the bounds on how long a run may
// take are generous: a slow CI machine must not make them fail, but a run that
// ignores its deadline (30 s children) must.
constexpr Duration kGenerous{5000};

ExecRequest request(std::vector<std::string> argv) {
  ExecRequest req;
  req.argv = std::move(argv);
  req.deadline = Deadline::after(Duration{20000});  // a hang fails the test instead of blocking it
  return req;
}

ExecResult run_ok(const ExecRequest& req, const pm::Interrupt* interrupt = nullptr) {
  ProcessRunner runner(interrupt);
  auto result = runner.run(req);
  REQUIRE(result.has_value());
  return *result;
}

// True once `pid` no longer runs: gone, or a zombie waiting for a reaper we do not control.
bool process_ended(pid_t pid) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return true;
    std::string line;
    std::getline(stat, line);
    auto close_paren = line.rfind(')');
    if (close_paren != std::string::npos && line.substr(close_paren + 2, 1) == "Z") return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

pid_t first_line_pid(const std::string& out) {
  std::istringstream in(out);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

}  // namespace

TEST_CASE("exec: exit status and elapsed time are reported", "[exec]") {
  auto ok = run_ok(request({"true"}));
  CHECK(ok.succeeded());
  CHECK(ok.exit_code == 0);
  CHECK(ok.describe() == "exited with status 0");

  auto failed = run_ok(request({"sh", "-c", "sleep 0.2; exit 3"}));
  CHECK_FALSE(failed.succeeded());
  CHECK(failed.exit_code == 3);
  CHECK(failed.signal == 0);
  CHECK_FALSE(failed.timed_out);
  CHECK(failed.describe() == "exited with status 3");
  CHECK(failed.elapsed >= Duration{150});
}

TEST_CASE("exec: a child killed by a signal reports the signal", "[exec]") {
  auto result = run_ok(request({"sh", "-c", "kill -9 $$"}));
  CHECK(result.signal == SIGKILL);
  CHECK_FALSE(result.succeeded());
  CHECK_FALSE(result.timed_out);
  CHECK(result.describe() == "killed by signal 9 (Killed)");
}

TEST_CASE("exec: stdout and stderr are captured separately", "[exec]") {
  auto result = run_ok(request({"sh", "-c", "echo to-out; echo to-err >&2; printf 'no newline'"}));
  CHECK(result.out == "to-out\nno newline");
  CHECK(result.err == "to-err\n");
  CHECK_FALSE(result.stdout_truncated);
  CHECK_FALSE(result.stderr_truncated);
}

TEST_CASE("exec: arguments reach the program verbatim, without a shell", "[exec]") {
  auto result = run_ok(request({"printf", "%s|", "a b", "$HOME", "*", "'quoted'"}));
  CHECK(result.out == "a b|$HOME|*|'quoted'|");
}

TEST_CASE("exec: stdin is /dev/null", "[exec]") {
  auto result = run_ok(request({"cat"}));
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());
}

TEST_CASE("exec: output beyond the cap is dropped, and the child still finishes", "[exec]") {
  auto req = request({"head", "-c", "10000000", "/dev/zero"});
  req.output_cap = 1000;
  auto result = run_ok(req);
  CHECK(result.exit_code == 0);  // not blocked on a full pipe, not killed by SIGPIPE
  CHECK(result.signal == 0);
  CHECK(result.out.size() == 1000);
  CHECK(result.stdout_truncated);
  CHECK_FALSE(result.stderr_truncated);

  auto on_stderr = request({"sh", "-c", "head -c 200000 /dev/zero >&2; echo fine"});
  on_stderr.output_cap = 10;
  auto err_result = run_ok(on_stderr);
  CHECK(err_result.err.size() == 10);
  CHECK(err_result.stderr_truncated);
  CHECK(err_result.out == "fine\n");
  CHECK_FALSE(err_result.stdout_truncated);
}

TEST_CASE("exec: output exactly at the cap is not truncated", "[exec]") {
  auto req = request({"printf", "abc"});
  req.output_cap = 3;
  auto exact = run_ok(req);
  CHECK(exact.out == "abc");
  CHECK_FALSE(exact.stdout_truncated);

  req.output_cap = 2;
  auto over = run_ok(req);
  CHECK(over.out == "ab");
  CHECK(over.stdout_truncated);
}

TEST_CASE("exec: a missing program is an error naming it", "[exec]") {
  ProcessRunner runner;
  auto result = runner.run(request({"pm-exec-test-no-such-program"}));
  REQUIRE_FALSE(result.has_value());
  CHECK(
      result.error() ==
      "cannot run 'pm-exec-test-no-such-program': No such file or directory (is it installed and in PATH?)");

  auto absolute = runner.run(request({"/nonexistent/dir/pm2", "list"}));
  REQUIRE_FALSE(absolute.has_value());
  CHECK_THAT(absolute.error(), Catch::Contains("'/nonexistent/dir/pm2'") && Catch::Contains("No such file"));
}

TEST_CASE("exec: a program that is not executable is an error", "[exec]") {
  char path[] = "/tmp/pm-exec-test-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, "#!/bin/sh\necho hi\n", 18) == 18);
  close(fd);
  REQUIRE(chmod(path, 0644) == 0);

  ProcessRunner runner;
  auto result = runner.run(request({path}));
  unlink(path);
  REQUIRE_FALSE(result.has_value());
  CHECK_THAT(result.error(), Catch::Contains(path) && Catch::Contains("Permission denied"));
}

TEST_CASE("exec: an empty argv is an error", "[exec]") {
  ProcessRunner runner;
  CHECK_FALSE(runner.run(request({})).has_value());
}

TEST_CASE("exec: env overrides are added or replace inherited values", "[exec]") {
  REQUIRE(setenv("PM_EXEC_TEST_INHERITED", "parent", 1) == 0);
  auto req = request({"env"});
  req.env_overrides = {{"PM_EXEC_TEST_ADDED", "a value with spaces"},
                       {"PM_EXEC_TEST_INHERITED", "first"},
                       {"PM_EXEC_TEST_INHERITED", "child"}};
  auto result = run_ok(req);
  unsetenv("PM_EXEC_TEST_INHERITED");
  CHECK_THAT(result.out, Catch::Contains("\nPM_EXEC_TEST_ADDED=a value with spaces\n"));
  CHECK_THAT(result.out, Catch::Contains("\nPM_EXEC_TEST_INHERITED=child\n"));
  CHECK_THAT(result.out, !Catch::Contains("=parent\n") && !Catch::Contains("=first\n"));
  CHECK_THAT(result.out, Catch::Contains("\nPATH="));  // the rest of the environment is kept

  auto plain = run_ok(request({"printenv", "PM_EXEC_TEST_ADDED"}));
  CHECK(plain.exit_code == 1);  // overrides do not leak into later runs or the monitor
  CHECK(getenv("PM_EXEC_TEST_ADDED") == nullptr);

  auto bad = request({"true"});
  bad.env_overrides = {{"A=B", "c"}};
  CHECK_FALSE(ProcessRunner().run(bad).has_value());
}

TEST_CASE("exec: the child has its own process group and default signal state", "[exec]") {
  auto group = run_ok(request({"sh", "-c", "echo $$; cut -d' ' -f5 /proc/$$/stat"}));
  std::istringstream lines(group.out);
  pid_t pid = 0;
  pid_t pgid = 0;
  lines >> pid >> pgid;
  CHECK(pid > 0);
  CHECK(pgid == pid);
  CHECK(pgid != getpgrp());

  // What the monitor ignores or blocks must not be inherited by its commands.
  struct sigaction ignore {};
  struct sigaction old_pipe {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, &old_pipe);
  sigset_t block;
  sigset_t old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &block, &old_mask);
  auto status = run_ok(request({"grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"}));
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGPIPE, &old_pipe, nullptr);
  CHECK_THAT(status.out, Catch::Contains("SigBlk:\t0000000000000000"));
  // Only the standard signals (1-31): glibc's posix_spawn itself sets its
  // internal signals 32 and 33 to SIG_IGN in every child, whatever we ask.
  auto at = status.out.find("SigIgn:\t");
  REQUIRE(at != std::string::npos);
  unsigned long long ignored = std::stoull(status.out.substr(at + 8, 16), nullptr, 16);
  CHECK((ignored & 0x7fffffffULL) == 0);
}

TEST_CASE("exec: a deadline stops the child with SIGTERM", "[exec]") {
  auto req = request({"sleep", "30"});
  req.deadline = Deadline::after(Duration{200});
  auto result = run_ok(req);
  CHECK(result.timed_out);
  CHECK_FALSE(result.interrupted);
  CHECK_FALSE(result.succeeded());
  CHECK(result.signal == SIGTERM);
  CHECK(result.elapsed >= Duration{150});
  CHECK(result.elapsed < kGenerous);
  CHECK_THAT(result.describe(), Catch::StartsWith("timed out after "));
}

TEST_CASE("exec: a deadline that already passed starts nothing", "[exec]") {
  auto req = request({"sleep", "30"});
  req.deadline = Deadline(Deadline::Clock::now() - 1s);
  auto result = run_ok(req);
  CHECK(result.timed_out);
  CHECK(result.elapsed < kGenerous);
}

TEST_CASE("exec: a child ignoring SIGTERM is killed after the grace period", "[exec]") {
  auto req = request({"sh", "-c", "trap '' TERM; sleep 30"});
  req.deadline = Deadline::after(Duration{200});
  req.kill_grace = Duration{300};
  auto result = run_ok(req);
  CHECK(result.timed_out);
  CHECK(result.signal == SIGKILL);
  CHECK(result.elapsed >= Duration{450});  // it did wait out the grace period
  CHECK(result.elapsed < kGenerous);
}

TEST_CASE("exec: the deadline kill reaches the whole process group", "[exec]") {
  // The grandchild ignores SIGTERM and holds the output pipe after its parent died.
  auto req = request({"sh", "-c", "(trap '' TERM; sleep 30) & echo $!; sleep 30"});
  req.deadline = Deadline::after(Duration{200});
  req.kill_grace = Duration{10000};
  auto result = run_ok(req);
  CHECK(result.timed_out);
  CHECK(result.signal == SIGTERM);
  CHECK(result.elapsed < kGenerous);  // did not wait for the grace period once the child was gone
  pid_t grandchild = first_line_pid(result.out);
  REQUIRE(grandchild > 0);
  CHECK(process_ended(grandchild));
}

TEST_CASE("exec: a grandchild outside the group holding the pipe does not hang the run", "[exec]") {
  auto req = request({"sh", "-c", "setsid sleep 3 & echo started"});
  auto result = run_ok(req);
  CHECK(result.exit_code == 0);
  CHECK_FALSE(result.timed_out);
  CHECK(result.out == "started\n");
  CHECK(result.elapsed < Duration{2500});  // returned well before the grandchild let go of the pipe
}

TEST_CASE("exec: an interrupt requested before the run starts nothing", "[exec]") {
  pm::Interrupt interrupt;
  interrupt.request();
  auto result = run_ok(request({"sleep", "30"}), &interrupt);
  CHECK(result.interrupted);
  CHECK_FALSE(result.timed_out);
  CHECK_FALSE(result.succeeded());
  CHECK(result.describe() == "interrupted");
  CHECK(result.elapsed < kGenerous);
}

TEST_CASE("exec: an interrupt while running stops the child promptly", "[exec]") {
  pm::Interrupt interrupt;
  std::jthread requester([&] {
    std::this_thread::sleep_for(200ms);
    interrupt.request(SIGTERM);
  });
  auto result = run_ok(request({"sleep", "30"}), &interrupt);
  CHECK(result.interrupted);
  CHECK_FALSE(result.timed_out);
  CHECK(result.signal == SIGTERM);
  CHECK(result.elapsed < kGenerous);
  CHECK(result.describe() == "interrupted");
}

TEST_CASE("exec: a non-interruptible command runs to completion", "[exec]") {
  pm::Interrupt interrupt;
  auto req = request({"sh", "-c", "sleep 0.5; echo done"});
  req.interruptible = false;

  SECTION("requested before the run") {
    interrupt.request();
    auto result = run_ok(req, &interrupt);
    CHECK_FALSE(result.interrupted);
    CHECK(result.succeeded());
    CHECK(result.out == "done\n");
  }
  SECTION("requested while running") {
    std::jthread requester([&] {
      std::this_thread::sleep_for(100ms);
      interrupt.request(SIGTERM);
    });
    auto result = run_ok(req, &interrupt);
    CHECK_FALSE(result.interrupted);
    CHECK(result.succeeded());
    CHECK(result.out == "done\n");
  }
}

TEST_CASE("exec: no zombie or descriptor is left behind", "[exec]") {
  auto open_fds = [] {
    return std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                         std::filesystem::directory_iterator());
  };
  const auto fds_before = open_fds();
  run_ok(request({"true"}));
  auto sleeper = request({"sleep", "30"});
  sleeper.deadline = Deadline::after(Duration{100});
  run_ok(sleeper);
  auto stubborn = request({"sh", "-c", "trap '' TERM; sleep 30"});
  stubborn.deadline = Deadline::after(Duration{100});
  stubborn.kill_grace = Duration{100};
  run_ok(stubborn);
  ProcessRunner runner;
  CHECK_FALSE(runner.run(request({"pm-exec-test-no-such-program"})).has_value());

  int status = 0;
  errno = 0;
  pid_t pid = waitpid(-1, &status, WNOHANG);
  CHECK(pid <= 0);
  if (pid < 0) CHECK(errno == ECHILD);
  CHECK(open_fds() == fds_before);
}

TEST_CASE("exec: describe() names what happened", "[exec]") {
  ExecResult result;
  result.exit_code = 2;
  CHECK(result.describe() == "exited with status 2");
  result.signal = SIGSEGV;
  CHECK(result.describe() == "killed by signal 11 (Segmentation fault)");
  result.timed_out = true;
  result.elapsed = Duration{1500};
  CHECK(result.describe() == "timed out after 1.5s");
  result.interrupted = true;
  CHECK(result.describe() == "interrupted");
}

TEST_CASE("exec: last_output_line() prefers stderr and skips blank lines", "[exec]") {
  ExecResult result;
  CHECK(result.last_output_line().empty());

  result.out = "progress\n  final stdout line \n";
  CHECK(result.last_output_line() == "final stdout line");

  result.err = "first\n\tError: app not found  \r\n\n   \n";
  CHECK(result.last_output_line() == "Error: app not found");

  result.err = " \n\t\n";
  CHECK(result.last_output_line() == "final stdout line");

  result.err = "x\n" + std::string(1000, 'e');
  CHECK(result.last_output_line() == std::string(300, 'e'));

  // A cut never splits a UTF-8 character: "é" is two bytes, at 299 and 300.
  result.err = std::string(299, 'a') + "\xc3\xa9" + "tail";
  CHECK(result.last_output_line() == std::string(299, 'a'));
}
