#include "loopback_http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace pm::test {
namespace {

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

std::string_view reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 302: return "Found";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

}  // namespace

LoopbackHttpServer::LoopbackHttpServer() {
  if (pipe2(stop_pipe_, O_CLOEXEC) != 0) fail("pipe2");
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) fail("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail("bind");
  if (listen(listen_fd_, 128) != 0) fail("listen");
  socklen_t length = sizeof address;
  if (getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) fail("getsockname");
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

LoopbackHttpServer::~LoopbackHttpServer() {
  const char byte = 1;
  [[maybe_unused]] auto written = write(stop_pipe_[1], &byte, 1);
  acceptor_.join();
  // No new connection threads once the acceptor has ended.
  for (std::thread& connection : connections_) connection.join();
  close(listen_fd_);
  close(stop_pipe_[0]);
  close(stop_pipe_[1]);
}

void LoopbackHttpServer::set_route(const std::string& path, Route route) {
  std::lock_guard lock(mutex_);
  PathState& state = paths_[path];
  state.route = std::move(route);
  state.routed = true;
}

std::string LoopbackHttpServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

int LoopbackHttpServer::request_count(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = paths_.find(path);
  return it == paths_.end() ? 0 : it->second.requests;
}

std::optional<RecordedRequest> LoopbackHttpServer::last_request(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = paths_.find(path);
  if (it == paths_.end() || it->second.received.empty()) return std::nullopt;
  return it->second.received.back();
}

std::vector<RecordedRequest> LoopbackHttpServer::requests(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = paths_.find(path);
  return it == paths_.end() ? std::vector<RecordedRequest>{} : it->second.received;
}

void LoopbackHttpServer::accept_loop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::lock_guard lock(mutex_);
    connections_.emplace_back([this, client] {
      serve(client);
      close(client);
    });
  }
}

bool LoopbackHttpServer::wait_for_stop_or_close(std::chrono::milliseconds timeout, int client) const {
  pollfd fds[2] = {{stop_pipe_[0], POLLIN, 0}, {client, POLLIN, 0}};
  const nfds_t count = client >= 0 ? 2 : 1;
  int ready = poll(fds, count, timeout.count() < 0 ? -1 : static_cast<int>(timeout.count()));
  return ready != 0;  // an error counts as "stop": the connection is given up
}

bool LoopbackHttpServer::send_all(int fd, std::string_view data) const {
  while (!data.empty()) {
    pollfd fds[2] = {{fd, POLLOUT, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return false;
    if (fds[1].revents != 0) return false;
    if ((fds[0].revents & (POLLERR | POLLHUP)) != 0) return false;
    ssize_t sent = send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return false;  // the client went away
    }
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

// Reads from `fd` into `received` until `done(received)`; false when the
// client closed first, the server is stopping, or reading failed.
template <class Done>
bool LoopbackHttpServer::read_until(int fd, std::string& received, Done done) const {
  while (!done(received)) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return false;
    if (fds[1].revents != 0) return false;
    char buffer[4096];
    ssize_t got = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (got == 0) return false;
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return false;
    }
    received.append(buffer, static_cast<std::size_t>(got));
  }
  return true;
}

void LoopbackHttpServer::serve(int fd) {
  std::string received;
  if (!read_until(fd, received, [](const std::string& text) { return text.find("\r\n\r\n") != text.npos; }))
    return;
  const std::size_t head_end = received.find("\r\n\r\n");
  RecordedRequest request{parse_request_head(std::string_view(received).substr(0, head_end)), {}};
  // The body: Content-Length bytes (no chunked encoding: the tests' clients send lengths).
  const auto length_header = request.headers.find("content-length");
  const std::size_t length = length_header == request.headers.end() ? 0 : std::stoul(length_header->second);
  const std::size_t wanted = head_end + 4 + length;
  read_until(fd, received, [&](const std::string& text) { return text.size() >= wanted; });
  request.body = received.substr(std::min(received.size(), head_end + 4), length);
  const std::string path = request.target.substr(0, request.target.find('?'));

  Route route;
  int status = 404;
  bool routed = false;
  {
    std::lock_guard lock(mutex_);
    PathState& state = paths_[path];
    ++state.requests;
    state.received.push_back(request);
    if (state.routed) {
      routed = true;
      route = state.route;
      const auto index = static_cast<std::size_t>(state.requests - 1);
      status = index < route.first_statuses.size() ? route.first_statuses[index] : route.status;
    }
  }
  if (!routed) route.body = "no route";
  if (route.hang) {
    wait_for_stop_or_close(std::chrono::milliseconds(-1), fd);
    return;
  }
  if (route.delay.count() > 0 && wait_for_stop_or_close(route.delay, fd)) return;

  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason(status)) + "\r\n";
  head += "Content-Length: " + std::to_string(route.body.size()) + "\r\n";
  head += "Content-Type: text/plain\r\nConnection: close\r\n";
  for (const auto& [name, value] : route.headers) head += name + ": " + value + "\r\n";
  head += "\r\n";
  if (!send_all(fd, head)) return;
  const std::string_view body = std::string_view(route.body).substr(0, route.stall_after);
  if (!send_all(fd, body)) return;
  if (body.size() < route.body.size()) {
    wait_for_stop_or_close(std::chrono::milliseconds(-1), fd);
    return;
  }
  shutdown(fd, SHUT_WR);
}

int closed_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int saved = errno;
    close(fd);
    errno = saved;
    fail("bind");
  }
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace pm::test
