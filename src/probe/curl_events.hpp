#pragma once
// Drives a libcurl multi handle by readiness events: curl tells which sockets
// it waits on (CURLMOPT_SOCKETFUNCTION) and when its next timeout is due
// (CURLMOPT_TIMERFUNCTION); an epoll set waits for them and each ready socket
// is handed to curl_multi_socket_action. curl_multi_perform and
// curl_multi_poll instead walk every transfer and every socket on every wake,
// which makes a cycle of N concurrent probes cost O(N^2) (measured in
// bench/RESULTS.md); here a wake costs only what became ready.
#include <curl/curl.h>

#include <chrono>
#include <optional>

#include "util/duration.hpp"

namespace pm {

class CurlEvents {
 public:
  // Installs the callbacks on `multi`, which must outlive this object and
  // not be driven any other way meanwhile.
  explicit CurlEvents(CURLM* multi);
  ~CurlEvents();
  CurlEvents(const CurlEvents&) = delete;
  CurlEvents& operator=(const CurlEvents&) = delete;

  // False when the epoll set could not be made (out of descriptors).
  bool ok() const { return epoll_fd_ >= 0; }

  // Also wakes wait() when `fd` becomes readable (the interrupt's pipe).
  void wake_on(int fd);

  // Lets curl act on its timeouts if one is due; call after adding transfers.
  CURLMcode act_on_due_timer();

  // Waits at most `max_wait` (less if curl's own timer is due sooner), then
  // lets curl act on every ready socket and on a due timer. `woken` is set
  // when the wake_on() descriptor became readable.
  CURLMcode wait_and_act(Duration max_wait, bool& woken);

 private:
  using Clock = std::chrono::steady_clock;
  static int on_socket(CURL* easy, curl_socket_t socket, int what, void* self, void* socket_data);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);

  CURLM* multi_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::optional<Clock::time_point> timer_;  // curl's next timeout; none when unset
};

}  // namespace pm
