#pragma once
// A small HTTP/1.1 server on 127.0.0.1 (ephemeral port) for tests: one
// thread accepts, one thread per connection answers, and each path behaves as
// its Route says. Every response closes its connection. Stopping (the
// destructor) ends delays and hangs at once.
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "http_request_head.hpp"

namespace pm::test {

struct Route {
  int status = 200;
  std::string body = "ok";
  // Statuses of the first requests, in order; later requests get `status`.
  std::vector<int> first_statuses{};
  std::chrono::milliseconds delay{0};  // before answering
  bool hang = false;                   // read the request, never answer
  // Send only this many bytes of the body, then keep the connection open
  // without sending more (Content-Length still announces the whole body).
  std::size_t stall_after = std::string::npos;
  std::vector<std::pair<std::string, std::string>> headers{};  // added to the response
};

struct RecordedRequest : RequestHead {
  std::string body;  // as long as Content-Length says (or until close)
};

class LoopbackHttpServer {
 public:
  // Listens and starts accepting; throws std::system_error if it cannot.
  LoopbackHttpServer();
  ~LoopbackHttpServer();
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  // Paths without a route answer 404.
  void set_route(const std::string& path, Route route);

  int port() const { return port_; }
  // "http://127.0.0.1:<port><path>"
  std::string url(std::string_view path) const;

  // Requests received for `path` (the query ignored), answered or not.
  int request_count(const std::string& path) const;
  std::optional<RecordedRequest> last_request(const std::string& path) const;
  // Every request received for `path`, oldest first.
  std::vector<RecordedRequest> requests(const std::string& path) const;

 private:
  struct PathState {
    Route route;
    bool routed = false;
    int requests = 0;
    std::vector<RecordedRequest> received;
  };

  void accept_loop();
  void serve(int fd);
  template <class Done>
  bool read_until(int fd, std::string& received, Done done) const;
  // Waits up to `timeout` (forever when negative) for the server to stop or,
  // when `client` >= 0, for the client to close. True when either happened.
  bool wait_for_stop_or_close(std::chrono::milliseconds timeout, int client) const;
  bool send_all(int fd, std::string_view data) const;

  int listen_fd_ = -1;
  int stop_pipe_[2]{-1, -1};  // readable once stopping
  int port_ = 0;
  mutable std::mutex mutex_;
  std::map<std::string, PathState> paths_;
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

// A loopback port nothing listens on (bound, then released): connecting to it is refused.
int closed_loopback_port();

}  // namespace pm::test
