#include "util/reload_signal.hpp"

#include <signal.h>

#include <atomic>

namespace pm {
namespace {

std::atomic<bool> g_reload_requested{false};

extern "C" void on_hangup(int) { g_reload_requested.store(true); }

}  // namespace

void install_reload_signal() {
  struct sigaction action {};
  action.sa_handler = on_hangup;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGHUP, &action, nullptr);
}

bool take_reload_request() { return g_reload_requested.exchange(false); }

}  // namespace pm
