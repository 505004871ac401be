#include "probe/curl_events.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace pm {

CurlEvents::CurlEvents(CURLM* multi) : multi_(multi), epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlEvents::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, static_cast<void*>(this));
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlEvents::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, static_cast<void*>(this));
}

CurlEvents::~CurlEvents() {
  // The multi handle may call back while its transfers are removed after
  // this object is gone: unhook first.
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, nullptr);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, nullptr);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

void CurlEvents::wake_on(int fd) {
  wake_fd_ = fd;
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
}

int CurlEvents::on_socket(CURL*, curl_socket_t socket, int what, void* self, void*) {
  auto* events = static_cast<CurlEvents*>(self);
  if (what == CURL_POLL_REMOVE) {
    // curl says so before it closes the socket; an error here (already gone) changes nothing.
    epoll_ctl(events->epoll_fd_, EPOLL_CTL_DEL, socket, nullptr);
    return 0;
  }
  epoll_event event{};
  event.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
  event.data.fd = socket;
  if (epoll_ctl(events->epoll_fd_, EPOLL_CTL_MOD, socket, &event) != 0 && errno == ENOENT) {
    epoll_ctl(events->epoll_fd_, EPOLL_CTL_ADD, socket, &event);
  }
  return 0;
}

int CurlEvents::on_timer(CURLM*, long timeout_ms, void* self) {
  auto* events = static_cast<CurlEvents*>(self);
  if (timeout_ms < 0) {
    events->timer_.reset();
  } else {
    events->timer_ = Clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

CURLMcode CurlEvents::act_on_due_timer() {
  if (!timer_ || *timer_ > Clock::now()) return CURLM_OK;
  timer_.reset();  // before acting: curl may set the next one meanwhile
  int running = 0;
  return curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
}

CURLMcode CurlEvents::wait_and_act(Duration max_wait, bool& woken) {
  Duration wait = max_wait;
  if (timer_) {
    // Rounded up: waking a fraction of a millisecond early would spin.
    wait = std::min(wait, std::chrono::ceil<Duration>(*timer_ - Clock::now()));
  }
  std::array<epoll_event, 256> ready{};
  const int count = epoll_wait(epoll_fd_, ready.data(), static_cast<int>(ready.size()),
                               static_cast<int>(std::max(wait, Duration::zero()).count()));
  int running = 0;
  for (int i = 0; i < count; ++i) {
    const int fd = ready[i].data.fd;
    if (fd == wake_fd_) {
      woken = true;
      continue;
    }
    const auto flags = ready[i].events;
    int mask = (flags & EPOLLIN ? CURL_CSELECT_IN : 0) | (flags & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
               (flags & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
    if (CURLMcode rc = curl_multi_socket_action(multi_, fd, mask, &running); rc != CURLM_OK) return rc;
  }
  return act_on_due_timer();
}

}  // namespace pm
