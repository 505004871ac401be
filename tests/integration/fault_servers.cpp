#include "fault_servers.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "engine_harness.hpp"

namespace pm::it {
namespace {

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

}  // namespace

std::string FaultConnection::read_request() {
  while (true) {
    if (auto end = pending_.find("\r\n\r\n"); end != std::string::npos) {
      std::string head = pending_.substr(0, end + 4);
      pending_.erase(0, end + 4);
      return head;
    }
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return "";
    }
    if (fds[1].revents != 0) return "";
    char buffer[4096];
    const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
    if (got <= 0) return "";
    pending_.append(buffer, static_cast<std::size_t>(got));
  }
}

std::string FaultConnection::path_of(const std::string& request) {
  auto first = request.find(' ');
  if (first == std::string::npos) return "";
  auto second = request.find(' ', first + 1);
  return request.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
}

bool FaultConnection::send(std::string_view data) {
  while (!data.empty()) {
    pollfd fds[2] = {{fd_, POLLOUT, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (fds[1].revents != 0) return false;
    const ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

bool FaultConnection::pause(std::chrono::milliseconds time) {
  const auto until = std::chrono::steady_clock::now() + time;
  while (true) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    // POLLRDHUP: the client closed; data it sends meanwhile is left unread.
    pollfd fds[2] = {{fd_, POLLRDHUP, 0}, {stop_fd_, POLLIN, 0}};
    int ready = ::poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready != 0) return false;
  }
}

FaultServer::FaultServer(Handler handler) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) fail("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail("bind");
  socklen_t length = sizeof address;
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) fail("getsockname");
  port_ = ntohs(address.sin_port);
  start(std::move(handler));
}

FaultServer::FaultServer(const std::string& socket_path, Handler handler) : socket_path_(socket_path) {
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) fail("socket");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof address.sun_path) throw std::runtime_error("socket path too long");
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  ::unlink(socket_path.c_str());
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail("bind");
  start(std::move(handler));
}

void FaultServer::start(Handler handler) {
  if (::listen(listen_fd_, 64) != 0) fail("listen");
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) fail("pipe2");
  handler_ = std::move(handler);
  acceptor_ = std::thread([this] {
    while (true) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[1].revents != 0) return;
      const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      ++connections_;
      std::lock_guard lock(mutex_);
      threads_.emplace_back([this, client] {
        FaultConnection connection(client, stop_pipe_[0]);
        handler_(connection);
        ::close(client);
      });
    }
  });
}

FaultServer::~FaultServer() {
  if (stop_pipe_[1] >= 0) {
    char byte = 1;
    [[maybe_unused]] auto written = ::write(stop_pipe_[1], &byte, 1);
  }
  if (acceptor_.joinable()) acceptor_.join();
  for (auto& thread : threads_) thread.join();
  for (int fd : {listen_fd_, stop_pipe_[0], stop_pipe_[1]}) {
    if (fd >= 0) ::close(fd);
  }
  if (!socket_path_.empty()) ::unlink(socket_path_.c_str());
}

std::string FaultServer::url(std::string_view path) const {
  return fmt::format("http://127.0.0.1:{}{}", port_, path);
}

std::string http_head(int status, std::size_t length, const std::string& extra) {
  return fmt::format("HTTP/1.1 {} X\r\nContent-Length: {}\r\n{}\r\n", status, length, extra);
}

void check_engine_fault(const MonitorRun& run, const std::string& service, const std::string& words) {
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains(words));
  auto report = parse_json(run);
  CHECK(report["deadline_reached"] == false);
  auto entry = service_named(report, service);
  INFO(entry.dump(2));
  CHECK(entry["health"] == "unknown");
  CHECK(entry["action"] == "none");
  CHECK_THAT(text_of(entry["engine_error"]), Catch::Contains(words));
}

bool process_running(long pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text;
  if (!std::getline(stat, text)) return false;
  auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

}  // namespace pm::it
