/* A log writer for the rotation tests: appends "<tag> <n> <padding>\n" lines,
 * n = 1, 2, 3, ..., each with one write(2) to PATH opened O_APPEND, as daemons
 * that log to a file do. The padding is (n * 7) % 23 'x's, so line lengths
 * vary as real log lines do (and a torn line shows). PATH "-" is stdout,
 * never reopened (for PM2, which logs what its apps print). On SIGHUP and SIGUSR1 it reopens PATH (the
 * "reopen" a rename rotation asks for); on SIGTERM or SIGINT it writes the last n it wrote to PATH.last and
 * exits 0. Built static, so the same binary runs under PM2, in a systemd unit and in a busybox container.
 *
 * Usage: log-writer PATH TAG [INTERVAL_US]   (default 1000 us between lines; 0: no pause)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t reopen_requested = 0;
static volatile sig_atomic_t stop_requested = 0;

static void on_reopen(int signal_number) {
  (void)signal_number;
  reopen_requested = 1;
}

static void on_stop(int signal_number) {
  (void)signal_number;
  stop_requested = 1;
}

static int open_log(const char* path) {
  if (strcmp(path, "-") == 0) return STDOUT_FILENO;
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    fprintf(stderr, "log-writer: cannot open %s: %s\n", path, strerror(errno));
    exit(1);
  }
  return fd;
}

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: log-writer PATH TAG [INTERVAL_US]\n");
    return 2;
  }
  const char* path = argv[1];
  const char* tag = argv[2];
  long interval_us = argc == 4 ? strtol(argv[3], nullptr, 10) : 1000;
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_reopen;
  sigaction(SIGHUP, &action, nullptr);
  sigaction(SIGUSR1, &action, nullptr);
  action.sa_handler = on_stop;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);

  int fd = open_log(path);
  unsigned long n = 0;
  while (!stop_requested) {
    if (reopen_requested && fd != STDOUT_FILENO) {
      reopen_requested = 0;
      close(fd);
      fd = open_log(path);
    }
    char line[256];
    static const char kPadding[] = "xxxxxxxxxxxxxxxxxxxxxxx";
    const int padding = static_cast<int>(((n + 1) * 7) % 23);
    int length = snprintf(line, sizeof line, "%s %lu %.*s\n", tag, n + 1, padding, kPadding);
    if (write(fd, line, static_cast<size_t>(length)) != static_cast<ssize_t>(length)) {
      fprintf(stderr, "log-writer: write to %s: %s\n", path, strerror(errno));
      return 1;
    }
    ++n;
    if (interval_us > 0) {  // 0: as fast as it can (even nanosleep(0) waits ~50 us of timer slack)
      struct timespec pause = {interval_us / 1000000, (interval_us % 1000000) * 1000L};
      nanosleep(&pause, nullptr);
    }
  }
  if (fd == STDOUT_FILENO) return 0;
  close(fd);
  char last_path[4096];
  snprintf(last_path, sizeof last_path, "%s.last", path);
  FILE* last = fopen(last_path, "w");
  if (last == nullptr) return 1;
  fprintf(last, "%lu\n", n);
  fclose(last);
  return 0;
}
