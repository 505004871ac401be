#pragma once
// Misbehaving servers for the fault-injection tests (faults_*_test.cpp): a
// listener on loopback TCP or on a unix socket whose every connection is
// served, on its own thread, by a handler the test writes: an engine that
// answers garbage, a health URL that trickles one byte at a time, a body far
// past any cap. Stopping (the destructor) ends every handler's waits at once.
// Also the check every engine fault test ends with.
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace pm::it {

// One accepted connection, as a handler sees it.
class FaultConnection {
 public:
  FaultConnection(int fd, int stop_fd) : fd_(fd), stop_fd_(stop_fd) {}
  // The next HTTP request head (through the blank line), or "" when the
  // client closed or the server stops.
  std::string read_request();
  // The request line's path ("/v1.41/containers/json?all=1"), "" if none.
  static std::string path_of(const std::string& request);
  // Sends all of `data`; false once the client has gone or the server stops.
  bool send(std::string_view data);
  // Waits `time`, or less when the server stops (false) or the client closes (false).
  bool pause(std::chrono::milliseconds time);

 private:
  int fd_;
  int stop_fd_;
  std::string pending_;  // read past the last request head
};

class FaultServer {
 public:
  using Handler = std::function<void(FaultConnection&)>;
  // Loopback TCP on an ephemeral port.
  explicit FaultServer(Handler handler);
  // A unix socket at `socket_path`.
  FaultServer(const std::string& socket_path, Handler handler);
  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  int port() const { return port_; }
  std::string url(std::string_view path) const;                  // "http://127.0.0.1:<port><path>"
  std::string host() const { return "unix://" + socket_path_; }  // for [docker] host
  int connections() const { return connections_.load(); }

 private:
  void start(Handler handler);

  Handler handler_;
  std::string socket_path_;
  int port_ = 0;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// "HTTP/1.1 <status> X\r\nContent-Length: <length>\r\n<extra>\r\n": a response
// head announcing `length` body bytes; `extra` is more header lines, each ending in \r\n.
std::string http_head(int status, std::size_t length, const std::string& extra = "");

struct MonitorRun;
// A --json run that met an engine fault: exit 2, `words` in stderr and in the
// engine error of `service` (health unknown, nothing done), and the run ended
// by itself, not by its deadline.
void check_engine_fault(const MonitorRun& run, const std::string& service, const std::string& words);

// Whether a process `pid` runs (exists and is not a zombie).
bool process_running(long pid);

}  // namespace pm::it
