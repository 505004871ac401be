// bench-measure: runs a command N times and reports, per run, its wall time,
// CPU time (user, system) and peak RSS from wait4(2), in microsecond and
// kilobyte resolution (/usr/bin/time rounds to 10 ms).
//
//   bench-measure [-n RUNS] [-w WARMUP] [--stdout FILE] -- COMMAND ARG...
//
// Prints CSV on stdout: a header, one line per measured run, and a last line
// "median,..." (medians of each column; peak RSS and exit code are the maxima). The
// command's stdout goes to FILE (default /dev/null), its stderr is kept.
// Note: wait4 counts the CPU of the children the command waited for, and the
// peak RSS is the largest of the command and those children.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Run {
  double wall_ms, user_ms, sys_ms;
  long maxrss_kb;
  int exit_code;
};

double ms(const timeval& t) {
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
}

Run run_once(char** argv, const std::string& out_path) {
  const auto start = std::chrono::steady_clock::now();
  pid_t child = fork();
  if (child == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out >= 0) dup2(out, STDOUT_FILENO);
    execvp(argv[0], argv);
    std::perror("bench-measure: exec");
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(child, &status, 0, &usage);
  const auto wall = std::chrono::steady_clock::now() - start;
  return Run{std::chrono::duration<double, std::milli>(wall).count(), ms(usage.ru_utime), ms(usage.ru_stime),
             usage.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)};
}

template <typename T>
T median(std::vector<T> values) {
  std::ranges::sort(values);
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 10, warmup = 1, first = 0;
  std::string out_path = "/dev/null";
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--") {
      first = i + 1;
      break;
    }
    if (i + 1 >= argc) break;
    if (flag == "-n")
      runs = std::atoi(argv[++i]);
    else if (flag == "-w")
      warmup = std::atoi(argv[++i]);
    else if (flag == "--stdout")
      out_path = argv[++i];
  }
  if (first == 0 || first >= argc || runs < 1) {
    std::fprintf(stderr, "usage: bench-measure [-n RUNS] [-w WARMUP] [--stdout FILE] -- COMMAND ARG...\n");
    return 2;
  }
  for (int i = 0; i < warmup; ++i) run_once(argv + first, out_path);
  std::vector<Run> measured;
  std::printf("run,wall_ms,user_ms,sys_ms,cpu_ms,maxrss_kb,exit\n");
  for (int i = 0; i < runs; ++i) {
    Run r = run_once(argv + first, out_path);
    measured.push_back(r);
    std::printf("%d,%.3f,%.3f,%.3f,%.3f,%ld,%d\n", i + 1, r.wall_ms, r.user_ms, r.sys_ms,
                r.user_ms + r.sys_ms, r.maxrss_kb, r.exit_code);
  }
  auto column = [&](auto field) {
    std::vector<double> values;
    for (const Run& r : measured) values.push_back(field(r));
    return median(values);
  };
  long peak = 0;
  int worst_exit = 0;  // the highest exit code of any run
  for (const Run& r : measured) {
    peak = std::max(peak, r.maxrss_kb);
    worst_exit = std::max(worst_exit, r.exit_code);
  }
  std::printf("median,%.3f,%.3f,%.3f,%.3f,%ld,%d\n", column([](const Run& r) { return r.wall_ms; }),
              column([](const Run& r) { return r.user_ms; }), column([](const Run& r) { return r.sys_ms; }),
              column([](const Run& r) { return r.user_ms + r.sys_ms; }), peak, worst_exit);
  return 0;
}
