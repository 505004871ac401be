// bench-latency-server: a loopback HTTP/1.1 server for the probe benchmarks.
// Every request is answered "200 ok" after a fixed delay, on its own
// connection (Connection: close), so N concurrent probes cost N connections
// and the slowest probe takes `delay` plus the transfer. One thread, epoll:
// thousands of slow requests wait at once without a thread each.
//
//   bench-latency-server --port P [--delay-ms D] [--ready-file F]
//
// GET /_stats answers at once with the number of other requests answered so
// far (the benchmarks count cycles with it). SIGTERM/SIGINT end the server.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <string>
#include <string_view>
#include <unordered_map>

namespace {

using Clock = std::chrono::steady_clock;

volatile sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }

struct Connection {
  std::string request;  // bytes read until the end of the header
  unsigned long id = 0;
};

// A reply due at `due`; `id` tells a reused fd from the connection it was for.
struct Pending {
  Clock::time_point due;
  int fd;
  unsigned long id;
};

void reply(int fd, std::string_view body) {
  std::string response =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + std::string(body);
  // Small enough for the socket buffer: one send, no partial writes to track.
  (void)!send(fd, response.data(), response.size(), MSG_NOSIGNAL);
}

int listen_on(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // The bench ports lie in Linux's ephemeral range: a client connecting to
  // the port while nothing listened can connect to itself and leave that
  // address in TIME-WAIT for a minute. Wait that out instead of failing.
  for (int attempt = 0; bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0; ++attempt) {
    if (errno != EADDRINUSE || attempt == 700) {
      std::perror("bench-latency-server: bind");
      std::exit(1);
    }
    if (attempt == 0) std::fprintf(stderr, "bench-latency-server: port %d busy, waiting up to 70 s\n", port);
    usleep(100'000);
  }
  if (listen(fd, 4096) != 0) {
    std::perror("bench-latency-server: listen");
    std::exit(1);
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  long delay_ms = 0;
  std::string ready_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--port")
      port = std::atoi(argv[i + 1]);
    else if (flag == "--delay-ms")
      delay_ms = std::atol(argv[i + 1]);
    else if (flag == "--ready-file")
      ready_file = argv[i + 1];
  }
  if (port <= 0) {
    std::fprintf(stderr, "usage: bench-latency-server --port P [--delay-ms D] [--ready-file F]\n");
    return 2;
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);

  const int listener = listen_on(port);
  const int epoll = epoll_create1(EPOLL_CLOEXEC);
  epoll_event event{.events = EPOLLIN, .data = {.fd = listener}};
  epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
  if (!ready_file.empty()) std::ofstream(ready_file) << getpid() << "\n";

  std::unordered_map<int, Connection> connections;
  std::deque<Pending> pending;  // the delay is fixed, so due times arrive in order
  unsigned long next_id = 1;
  unsigned long answered = 0;
  const auto delay = std::chrono::milliseconds(delay_ms);
  auto close_connection = [&](int fd) {
    epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    connections.erase(fd);
  };

  epoll_event ready[256];
  while (!stop_requested) {
    int timeout = -1;
    if (!pending.empty()) {
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(pending.front().due - Clock::now());
      timeout = static_cast<int>(std::max<long>(wait.count(), 0));
    }
    const int count = epoll_wait(epoll, ready, 256, timeout);
    for (int k = 0; k < count; ++k) {
      const int fd = ready[k].data.fd;
      if (fd == listener) {
        int client;
        while ((client = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          connections[client] = Connection{{}, next_id++};
          epoll_event in{.events = EPOLLIN | EPOLLRDHUP, .data = {.fd = client}};
          epoll_ctl(epoll, EPOLL_CTL_ADD, client, &in);
        }
        continue;
      }
      auto it = connections.find(fd);
      if (it == connections.end()) continue;
      char buffer[4096];
      ssize_t got = recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) {
        close_connection(fd);  // the client gave up (or errored) before its reply
        continue;
      }
      Connection& connection = it->second;
      connection.request.append(buffer, static_cast<std::size_t>(got));
      if (connection.request.find("\r\n\r\n") == std::string::npos) continue;
      if (connection.request.starts_with("GET /_stats ")) {
        reply(fd, std::to_string(answered) + "\n");
        close_connection(fd);
        continue;
      }
      // Nothing more to read: stop watching for input until the reply is sent.
      epoll_event none{.events = EPOLLRDHUP, .data = {.fd = fd}};
      epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &none);
      pending.push_back(Pending{Clock::now() + delay, fd, connection.id});
    }
    const auto now = Clock::now();
    while (!pending.empty() && pending.front().due <= now) {
      Pending due = pending.front();
      pending.pop_front();
      auto it = connections.find(due.fd);
      if (it == connections.end() || it->second.id != due.id) continue;  // closed meanwhile
      reply(due.fd, "ok\n");
      ++answered;
      close_connection(due.fd);
    }
  }
  return 0;
}
