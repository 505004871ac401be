#include "state/run_lock.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

using Catch::Matchers::StartsWith;
using pm::Duration;
using pm::LockError;
using pm::RunLock;
using Clock = std::chrono::steady_clock;
namespace fs = boost::filesystem;

namespace {

// A hang detector, not a timing assertion: far above what any of these waits need.
constexpr Duration kGenerous{10000};

struct LockScratch {
  fs::path dir = fs::temp_directory_path() / fs::unique_path("pm-lock-test-%%%%-%%%%");
  std::string state_file = (dir / "c.state.json").string();
  std::string lock_file = state_file + ".lock";
  LockScratch() { fs::create_directories(dir); }
  ~LockScratch() {
    boost::system::error_code ignored;
    fs::remove_all(dir, ignored);
  }
};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A child process that takes the lock, says so on a pipe, then waits for one
// byte from the parent before it goes on with `after_go` (which must not return).
class ChildHolder {
 public:
  template <typename AfterGo>
  ChildHolder(const std::string& state_file, AfterGo after_go) {
    int up[2], down[2];
    REQUIRE(pipe(up) == 0);
    REQUIRE(pipe(down) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      close(up[0]);
      close(down[1]);
      std::optional<RunLock> lock;
      if (auto acquired = RunLock::acquire(state_file, Duration::zero())) lock.emplace(std::move(*acquired));
      const char said = lock ? 'L' : 'E';
      [[maybe_unused]] auto wrote = write(up[1], &said, 1);
      char go;
      [[maybe_unused]] auto got = read(down[0], &go, 1);
      after_go(lock);
      _exit(0);  // never back into the test runner
    }
    close(up[1]);
    close(down[0]);
    go_fd_ = down[1];
    char said = 0;
    REQUIRE(read(up[0], &said, 1) == 1);
    close(up[0]);
    REQUIRE(said == 'L');
  }
  ~ChildHolder() {
    if (go_fd_ >= 0) close(go_fd_);
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  void go() {
    const char byte = 'g';
    REQUIRE(write(go_fd_, &byte, 1) == 1);
  }
  void reap() {
    REQUIRE(waitpid(pid_, nullptr, 0) == pid_);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int go_fd_ = -1;
};

// What the child does after "go": leave without releasing, as a crash would.
[[noreturn]] void exit_holding(std::optional<RunLock>&) { _exit(0); }

}  // namespace

TEST_CASE("run lock: a free lock is taken and the lock file names the holder and stays", "[run_lock]") {
  LockScratch scratch;
  {
    auto lock = RunLock::acquire(scratch.state_file, Duration::zero());
    REQUIRE(lock.has_value());
    CHECK(lock->path() == scratch.lock_file);
    CHECK(pm::lock_file_path(scratch.state_file) == scratch.lock_file);
    CHECK(read_text(scratch.lock_file) == std::to_string(getpid()) + "\n");
  }
  CHECK(fs::exists(scratch.lock_file));
  CHECK(read_text(scratch.lock_file).empty());
  CHECK(RunLock::acquire(scratch.state_file, Duration::zero()).has_value());
}

TEST_CASE("run lock: a second acquire in the same process fails at once with Busy", "[run_lock]") {
  LockScratch scratch;
  auto first = RunLock::acquire(scratch.state_file, Duration::zero());
  REQUIRE(first.has_value());
  auto second = RunLock::acquire(scratch.state_file, Duration::zero());
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().kind == LockError::Busy);
  CHECK(second.error().holder_pid == getpid());
  CHECK(second.error().message ==
        "another process-monitor run (pid " + std::to_string(getpid()) + ") holds " + scratch.lock_file);

  RunLock moved = std::move(*first);  // the lock goes with the object
  first = std::unexpected(LockError{LockError::Io, std::nullopt, ""});
  CHECK_FALSE(RunLock::acquire(scratch.state_file, Duration::zero()).has_value());
}

TEST_CASE("run lock: another process is refused while this one holds it", "[run_lock]") {
  LockScratch scratch;
  auto held = RunLock::acquire(scratch.state_file, Duration::zero());
  REQUIRE(held.has_value());
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto lock = RunLock::acquire(scratch.state_file, Duration::zero());
    const bool refused =
        !lock && lock.error().kind == LockError::Busy && lock.error().holder_pid == getppid();
    _exit(refused ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("run lock: a waiting acquire gets the lock once the holder releases it", "[run_lock]") {
  LockScratch scratch;
  ChildHolder holder(scratch.state_file, [](std::optional<RunLock>& lock) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    lock.reset();  // released by the destructor, while the process lives on
    std::this_thread::sleep_for(std::chrono::seconds(30));
    _exit(0);
  });
  auto busy = RunLock::acquire(scratch.state_file, Duration::zero());
  REQUIRE_FALSE(busy.has_value());
  CHECK(busy.error().holder_pid == holder.pid());
  holder.go();
  const auto start = Clock::now();
  auto lock = RunLock::acquire(scratch.state_file, kGenerous);
  CHECK(lock.has_value());
  CHECK(Clock::now() - start < kGenerous);
  CHECK(kill(holder.pid(), 0) == 0);  // the holder still lives: the release did it
}

TEST_CASE("run lock: a waiting acquire gives up at its deadline", "[run_lock]") {
  LockScratch scratch;
  auto held = RunLock::acquire(scratch.state_file, Duration::zero());
  REQUIRE(held.has_value());
  const auto start = Clock::now();
  auto waited = RunLock::acquire(scratch.state_file, Duration{300});
  const auto took = Clock::now() - start;
  REQUIRE_FALSE(waited.has_value());
  CHECK(waited.error().kind == LockError::Busy);
  CHECK(took >= Duration{300});
  CHECK(took < kGenerous);
  CHECK(waited.error().message == "another process-monitor run (pid " + std::to_string(getpid()) +
                                      ") holds " + scratch.lock_file + "; gave up after waiting 300ms");
}

TEST_CASE("run lock: an interrupt ends the wait", "[run_lock]") {
  LockScratch scratch;
  auto held = RunLock::acquire(scratch.state_file, Duration::zero());
  REQUIRE(held.has_value());
  pm::Interrupt interrupt;
  std::thread requester([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    interrupt.request(SIGTERM);
  });
  const auto start = Clock::now();
  auto waited = RunLock::acquire(scratch.state_file, Duration{60000}, &interrupt);
  const auto took = Clock::now() - start;
  requester.join();
  REQUIRE_FALSE(waited.has_value());
  CHECK(waited.error().kind == LockError::Interrupted);
  CHECK_THAT(waited.error().message,
             StartsWith("interrupted while waiting: another process-monitor run (pid"));
  CHECK(took < kGenerous);
}

TEST_CASE("run lock: a holder that dies without unlocking frees the lock", "[run_lock]") {
  LockScratch scratch;
  const bool killed = GENERATE(true, false);
  INFO((killed ? "SIGKILLed" : "_exit without unlocking"));
  ChildHolder holder(scratch.state_file, exit_holding);
  auto busy = RunLock::acquire(scratch.state_file, Duration::zero());
  REQUIRE_FALSE(busy.has_value());
  CHECK(busy.error().holder_pid == holder.pid());
  const pid_t dead = holder.pid();
  if (killed) {
    REQUIRE(kill(holder.pid(), SIGKILL) == 0);
  } else {
    holder.go();
  }
  holder.reap();
  CHECK(read_text(scratch.lock_file) == std::to_string(dead) + "\n");  // nobody cleaned up
  auto lock = RunLock::acquire(scratch.state_file, Duration::zero());
  REQUIRE(lock.has_value());
  CHECK(read_text(scratch.lock_file) == std::to_string(getpid()) + "\n");
}

TEST_CASE("run lock: a dead pid in the file is not reported as the holder", "[run_lock]") {
  LockScratch scratch;
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) _exit(0);
  REQUIRE(waitpid(child, nullptr, 0) == child);
  auto held = RunLock::acquire(scratch.state_file, Duration::zero());
  REQUIRE(held.has_value());
  std::ofstream(scratch.lock_file) << child << "\n";  // as between a new holder's lock and its write
  auto busy = RunLock::acquire(scratch.state_file, Duration::zero());
  REQUIRE_FALSE(busy.has_value());
  CHECK_FALSE(busy.error().holder_pid.has_value());
  CHECK(busy.error().message == "another process-monitor run holds " + scratch.lock_file);
}

TEST_CASE("run lock: a symlink in place of the lock file is refused", "[run_lock]") {
  LockScratch scratch;
  const std::string victim = (scratch.dir / "victim").string();
  std::ofstream(victim) << "precious";
  fs::create_symlink(victim, scratch.lock_file);
  auto lock = RunLock::acquire(scratch.state_file, Duration::zero());
  REQUIRE_FALSE(lock.has_value());
  CHECK(lock.error().kind == LockError::Io);
  CHECK(lock.error().message ==
        "cannot open lock file " + scratch.lock_file + ": Too many levels of symbolic links");
  CHECK(read_text(victim) == "precious");
}
