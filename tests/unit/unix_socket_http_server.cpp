#include "unix_socket_http_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace pm::test {
namespace {

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

}  // namespace

std::string make_temp_directory(const char* prefix) {
  std::string pattern = std::string("/tmp/") + prefix + "XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) fail("mkdtemp");
  return pattern;
}

int listen_on_unix_socket(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail("bind");
  if (listen(fd, 64) != 0) fail("listen");
  return fd;
}

UnixSocketHttpServer::UnixSocketHttpServer() {
  directory_ = make_temp_directory("pm-engine-");
  socket_path_ = directory_ + "/docker.sock";
  if (pipe2(stop_pipe_, O_CLOEXEC) != 0) fail("pipe2");
  listen_fd_ = listen_on_unix_socket(socket_path_);
  acceptor_ = std::thread([this] { accept_loop(); });
}

UnixSocketHttpServer::~UnixSocketHttpServer() {
  const char byte = 1;
  [[maybe_unused]] auto written = write(stop_pipe_[1], &byte, 1);
  acceptor_.join();
  // No new connection threads once the acceptor has ended.
  for (std::thread& connection : connections_) connection.join();
  close(listen_fd_);
  close(stop_pipe_[0]);
  close(stop_pipe_[1]);
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

void UnixSocketHttpServer::on(const std::string& method_and_path, ScriptedResponse response) {
  std::lock_guard lock(mutex_);
  script_[method_and_path] = std::move(response);
}

void UnixSocketHttpServer::answer_ping(std::optional<std::string> api_version) {
  ScriptedResponse response{.status = 200, .body = "OK"};
  if (api_version) response.headers.emplace_back("Api-Version", *api_version);
  on("GET /_ping", std::move(response));
}

std::vector<SocketRequest> UnixSocketHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

int UnixSocketHttpServer::connections() const {
  std::lock_guard lock(mutex_);
  return connections_count_;
}

void UnixSocketHttpServer::accept_loop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::lock_guard lock(mutex_);
    ++connections_count_;
    connections_.emplace_back([this, client] {
      serve(client);
      close(client);
    });
  }
}

bool UnixSocketHttpServer::send_all(int fd, const std::string& data) const {
  std::string_view rest = data;
  while (!rest.empty()) {
    pollfd fds[2] = {{fd, POLLOUT, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return false;
    if (fds[1].revents != 0 || (fds[0].revents & (POLLERR | POLLHUP)) != 0) return false;
    const ssize_t sent = send(fd, rest.data(), rest.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return false;  // the client went away
    }
    rest.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

void UnixSocketHttpServer::serve(int fd) {
  std::string received;
  // Reads until `received` holds `size` bytes; false when the client or the server stops.
  auto fill = [&](std::size_t size) {
    while (received.size() < size) {
      pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      if (poll(fds, 2, -1) < 0 && errno != EINTR) return false;
      if (fds[1].revents != 0) return false;
      char buffer[4096];
      const ssize_t got = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (got == 0) return false;
      if (got < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return false;
      }
      received.append(buffer, static_cast<std::size_t>(got));
    }
    return true;
  };
  while (true) {  // one request after the other on a kept-alive connection
    std::size_t head_end;
    while ((head_end = received.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(received.size() + 1)) return;
    }
    SocketRequest request = parse_request_head(std::string_view(received).substr(0, head_end));
    const auto length = request.headers.find("content-length");
    const std::size_t body_size = length == request.headers.end() ? 0 : std::stoul(length->second);
    if (!fill(head_end + 4 + body_size)) return;
    received.erase(0, head_end + 4 + body_size);

    const std::string key = request.method + " " + request.target.substr(0, request.target.find('?'));
    ScriptedResponse response{.status = 404, .body = R"({"message":"page not found"})"};
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(std::move(request));
      if (auto it = script_.find(key); it != script_.end()) response = it->second;
    }
    if (response.hang) {
      pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
      poll(fds, 2, -1);  // until the client closes or the server stops
      return;
    }
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " Scripted\r\n";
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    out += "Content-Type: application/json\r\n";
    for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
    out += "\r\n" + response.body;
    if (!send_all(fd, out)) return;
  }
}

}  // namespace pm::test
