#include "util/interrupt.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <system_error>

namespace pm {
namespace {

Interrupt* g_installed = nullptr;

extern "C" void on_signal(int signal_number) {
  if (g_installed != nullptr) g_installed->request(signal_number);
}

}  // namespace

Interrupt::Interrupt() {
  if (pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
}

Interrupt::~Interrupt() {
  if (g_installed == this) {
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    g_installed = nullptr;
  }
  close(pipe_[0]);
  close(pipe_[1]);
}

void Interrupt::install_signal_handlers() {
  g_installed = this;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

void Interrupt::request(int signal_number) {
  int expected = -1;
  signal_.compare_exchange_strong(expected, signal_number);
  const char byte = 1;
  // A full pipe already wakes every poller; the result does not matter.
  [[maybe_unused]] auto ignored = write(pipe_[1], &byte, 1);
}

bool Interrupt::sleep_for(Duration duration) const {
  auto until = std::chrono::steady_clock::now() + duration;
  while (!requested()) {
    auto left = std::chrono::duration_cast<Duration>(until - std::chrono::steady_clock::now());
    if (left <= Duration::zero()) return true;
    pollfd fd{pipe_[0], POLLIN, 0};
    poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
  }
  return false;
}

}  // namespace pm
