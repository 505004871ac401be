#include "backend/pm2_rpc.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "backend/pm2_axon.hpp"
#include "util/unique_fd.hpp"

namespace pm {
namespace {

using Kind = Pm2RpcFailure::Kind;
Pm2RpcFailure unreachable(std::string message) {
  return Pm2RpcFailure{Kind::Unreachable, std::move(message)};
}
Pm2RpcFailure timed_out(std::string message) { return Pm2RpcFailure{Kind::TimedOut, std::move(message)}; }
Pm2RpcFailure failed(std::string message) { return Pm2RpcFailure{Kind::Failed, std::move(message)}; }

// Waits until `fd` is ready for `events`; false when `deadline` came first.
bool wait_for(int fd, short events, Deadline deadline) {
  while (true) {
    const auto left = deadline.remaining();
    if (left <= Duration::zero()) return false;
    // Rounded up: a wake a fraction of a millisecond early would spin.
    const auto wait_ms = std::min<long long>(std::chrono::ceil<Duration>(left).count(), 60'000);
    pollfd entry{fd, events, 0};
    int ready = poll(&entry, 1, static_cast<int>(wait_ms));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return true;  // the next call on fd reports the error
  }
}

std::expected<UniqueFd, Pm2RpcFailure> connect_to(const std::string& path, Deadline deadline) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return std::unexpected(unreachable("socket path too long"));
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return std::unexpected(unreachable(fmt::format("socket: {}", std::strerror(errno))));
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
  // A unix socket whose backlog is full answers EAGAIN: wait for it like a TCP connect.
  if (errno != EAGAIN && errno != EINPROGRESS)
    return std::unexpected(unreachable(fmt::format("cannot connect to {}: {}", path, std::strerror(errno))));
  if (!wait_for(fd.get(), POLLOUT, deadline))
    return std::unexpected(
        timed_out(fmt::format("the PM2 daemon did not accept a connection on {} in time", path)));
  int error = 0;
  socklen_t size = sizeof error;
  getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size);
  if (error != 0)
    return std::unexpected(unreachable(fmt::format("cannot connect to {}: {}", path, std::strerror(error))));
  return fd;
}

}  // namespace

std::expected<std::string, Pm2RpcFailure> pm2_rpc_process_list(const std::string& socket_path,
                                                               Deadline deadline, std::size_t max_size) {
  auto fd = connect_to(socket_path, deadline);
  if (!fd) return std::unexpected(fd.error());
  const std::string id = fmt::format("process-monitor-{}:0", getpid());
  const std::string request = encode_axon_call("getMonitorData", "[{}]", id);
  const auto no_answer = [&] {
    return timed_out(fmt::format("the PM2 daemon did not answer on {} within the deadline", socket_path));
  };

  for (std::size_t sent = 0; sent < request.size();) {
    ssize_t n = send(fd->get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
    } else if (errno == EAGAIN) {
      if (!wait_for(fd->get(), POLLOUT, deadline)) return std::unexpected(no_answer());
    } else if (errno != EINTR) {
      return std::unexpected(failed(fmt::format("cannot send to {}: {}", socket_path, std::strerror(errno))));
    }
  }

  std::string reply;
  char chunk[64 * 1024];
  while (true) {
    auto message = decode_axon_message(reply, max_size);
    if (!message) return std::unexpected(failed(fmt::format("{}: {}", socket_path, message.error())));
    if (*message) {
      const auto& arguments = **message;
      if (arguments.size() != 2 || arguments[1] != "s:" + id)
        return std::unexpected(failed("unexpected answer from the PM2 daemon (not the reply to our call)"));
      auto result = single_rpc_result(arguments[0]);
      if (!result) return std::unexpected(failed(result.error()));
      // Cut out in place: a copy would hold the megabytes twice.
      const auto begin = static_cast<std::size_t>(result->data() - reply.data());
      const std::size_t size = result->size();
      reply.erase(0, begin);
      reply.resize(size);
      return reply;
    }
    // Incomplete, and every length that has arrived is within max_size. Room
    // for one read more: the last read also brings the short arguments after
    // the list, and an append past the capacity would double it.
    if (const std::size_t known = axon_known_size(reply); known > reply.capacity()) {
      reply.reserve(known + sizeof chunk);
    }
    ssize_t n = recv(fd->get(), chunk, sizeof chunk, 0);
    if (n > 0) {
      reply.append(chunk, static_cast<std::size_t>(n));
    } else if (n == 0) {
      return std::unexpected(failed(fmt::format("the PM2 daemon closed {} before answering", socket_path)));
    } else if (errno == EAGAIN) {
      if (!wait_for(fd->get(), POLLIN, deadline)) return std::unexpected(no_answer());
    } else if (errno != EINTR) {
      return std::unexpected(
          failed(fmt::format("cannot read from {}: {}", socket_path, std::strerror(errno))));
    }
  }
}

}  // namespace pm
