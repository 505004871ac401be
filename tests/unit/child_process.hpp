#pragma once
// Running a piece of a test in a forked child, for what only another user
// can see: root reads and writes through any mode bits, so permission
// errors need an unprivileged process.
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include <catch2/catch.hpp>

namespace pm::test {

// What `work` returns, computed in a forked child; with `as_nobody` and as
// root, the child first becomes nobody (uid and gid 65534). The child only
// runs `work` and exits: no Catch2 assertion may be made in it.
inline std::string in_child(const std::function<std::string()>& work, bool as_nobody = true) {
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(pipe_fds[0]);
    std::string out = "cannot drop privileges";
    if (!as_nobody || geteuid() != 0 || (setgid(65534) == 0 && setuid(65534) == 0)) out = work();
    [[maybe_unused]] auto written = write(pipe_fds[1], out.data(), out.size());
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string out;
  char buffer[512];
  ssize_t got;
  while ((got = read(pipe_fds[0], buffer, sizeof buffer)) > 0)
    out.append(buffer, static_cast<std::size_t>(got));
  close(pipe_fds[0]);
  waitpid(child, nullptr, 0);
  return out;
}

}  // namespace pm::test
