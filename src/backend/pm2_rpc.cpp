#include "backend/pm2_rpc.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <streambuf>

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

Pm2RpcFailure no_answer(const std::string& socket_path) {
  return timed_out(fmt::format("the PM2 daemon did not answer on {} within the deadline", socket_path));
}

// The answer's bytes from the socket, each read bounded by the deadline.
class AnswerSource {
 public:
  AnswerSource(int fd, Deadline deadline, const std::string& socket_path)
      : fd_(fd), deadline_(deadline), socket_path_(socket_path) {}

  // At least one byte and at most `max` into `out`, or why none came.
  std::expected<std::size_t, Pm2RpcFailure> read_some(char* out, std::size_t max) {
    while (true) {
      ssize_t n = recv(fd_, out, max, 0);
      if (n > 0) return static_cast<std::size_t>(n);
      if (n == 0)
        return std::unexpected(
            failed(fmt::format("the PM2 daemon closed {} before answering", socket_path_)));
      if (errno == EAGAIN) {
        if (!wait_for(fd_, POLLIN, deadline_)) return std::unexpected(no_answer(socket_path_));
      } else if (errno != EINTR) {
        return std::unexpected(
            failed(fmt::format("cannot read from {}: {}", socket_path_, std::strerror(errno))));
      }
    }
  }

  // Exactly `size` bytes (the short parts around the list).
  std::expected<std::string, Pm2RpcFailure> read_exactly(std::size_t size) {
    std::string bytes(size, '\0');
    for (std::size_t got = 0; got < size;) {
      auto n = read_some(bytes.data() + got, size - got);
      if (!n) return std::unexpected(n.error());
      got += *n;
    }
    return bytes;
  }

 private:
  int fd_;
  Deadline deadline_;
  const std::string& socket_path_;
};

// The list's bytes as a stream for the JSON parser: `length` bytes from the
// source, in reads of up to 64 KiB, then the end; a failed read ends the
// stream early and is kept in `failure`.
class ListStreamBuffer : public std::streambuf {
 public:
  ListStreamBuffer(AnswerSource& source, std::size_t length) : source_(source), left_(length) {}
  std::optional<Pm2RpcFailure> failure;

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (left_ == 0 || failure) return traits_type::eof();
    auto n = source_.read_some(chunk_, std::min(left_, sizeof chunk_));
    if (!n) {
      failure = n.error();
      return traits_type::eof();
    }
    left_ -= *n;
    setg(chunk_, chunk_, chunk_ + *n);
    return traits_type::to_int_type(chunk_[0]);
  }

 private:
  AnswerSource& source_;
  std::size_t left_;
  char chunk_[64 * 1024];
};

std::uint32_t big_endian(std::string_view bytes) {
  std::uint32_t value = 0;
  for (char byte : bytes) value = value << 8 | static_cast<unsigned char>(byte);
  return value;
}

}  // namespace

std::expected<void, Pm2RpcFailure> pm2_rpc_process_list(const std::string& socket_path, Deadline deadline,
                                                        const Pm2ListReader& read, std::size_t max_size) {
  auto fd = connect_to(socket_path, deadline);
  if (!fd) return std::unexpected(fd.error());
  const std::string id = fmt::format("process-monitor-{}:0", getpid());
  const std::string request = encode_axon_call("getMonitorData", "[{}]", id);
  for (std::size_t sent = 0; sent < request.size();) {
    ssize_t n = send(fd->get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
    } else if (errno == EAGAIN) {
      if (!wait_for(fd->get(), POLLOUT, deadline)) return std::unexpected(no_answer(socket_path));
    } else if (errno != EINTR) {
      return std::unexpected(failed(fmt::format("cannot send to {}: {}", socket_path, std::strerror(errno))));
    }
  }

  // The reply, read in its order (pm2_axon.hpp): the message byte and the
  // first argument's length; the argument, whose list goes to `read` as it
  // arrives; the second argument, our request id.
  AnswerSource source(fd->get(), deadline, socket_path);
  const auto not_our_reply = [] {
    return failed("unexpected answer from the PM2 daemon (not the reply to our call)");
  };
  auto head = source.read_exactly(5);
  if (!head) return std::unexpected(head.error());
  if (static_cast<unsigned char>((*head)[0]) != (kAxonVersion << 4 | 2))
    return std::unexpected(not_our_reply());
  const std::size_t length = big_endian(std::string_view(*head).substr(1));
  if (length > max_size)
    return std::unexpected(failed(socket_path + ": the answer is larger than the limit"));

  constexpr std::string_view prefix = kRpcResultPrefix;
  constexpr std::string_view suffix = kRpcResultSuffix;
  std::string start;
  if (length >= prefix.size() + suffix.size()) {
    auto got = source.read_exactly(prefix.size());
    if (!got) return std::unexpected(got.error());
    start = std::move(*got);
  }
  if (start != prefix) {
    // An error ({"error": ...}) or not a reply: small, read whole for its message.
    auto rest = source.read_exactly(length - start.size());
    if (!rest) return std::unexpected(rest.error());
    return std::unexpected(failed(rpc_failure_text(start + *rest)));
  }

  ListStreamBuffer list(source, length - prefix.size() - suffix.size());
  std::istream in(&list);
  auto parsed = read(in);
  if (list.failure)
    return std::unexpected(*list.failure);  // the socket's failure first: it explains a parse error
  if (!parsed) return std::unexpected(failed(parsed.error()));
  // Whatever `read` left of the list: the framing goes on after it.
  in.ignore(std::numeric_limits<std::streamsize>::max());
  if (list.failure) return std::unexpected(*list.failure);

  auto end = source.read_exactly(suffix.size() + 4);
  if (!end) return std::unexpected(end.error());
  if (!end->starts_with(suffix))
    return std::unexpected(failed("unexpected answer from the PM2 daemon (not an RPC reply)"));
  const std::size_t id_length = big_endian(std::string_view(*end).substr(suffix.size()));
  if (id_length != id.size() + 2) return std::unexpected(not_our_reply());
  auto echoed = source.read_exactly(id_length);
  if (!echoed) return std::unexpected(echoed.error());
  if (*echoed != "s:" + id) return std::unexpected(not_our_reply());
  return {};
}

}  // namespace pm
