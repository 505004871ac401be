#include "fake_pm2_daemon.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "unix_socket_http_server.hpp"  // make_temp_directory, listen_on_unix_socket

namespace pm::test {
namespace {

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

// One AMP argument: 32-bit big-endian length, then the bytes.
std::string amp_argument(const std::string& bytes) {
  const auto length = static_cast<std::uint32_t>(bytes.size());
  std::string out{static_cast<char>(length >> 24), static_cast<char>(length >> 16 & 0xff),
                  static_cast<char>(length >> 8 & 0xff), static_cast<char>(length & 0xff)};
  return out + bytes;
}

// Reads one whole AMP message from `fd`; its arguments, or empty on EOF.
std::vector<std::string> read_message(int fd) {
  std::string buffer;
  char chunk[4096];
  while (true) {
    if (!buffer.empty()) {
      const std::size_t count = static_cast<unsigned char>(buffer[0]) & 0xf;
      std::vector<std::string> arguments;
      std::size_t offset = 1;
      for (std::size_t i = 0; i < count && offset + 4 <= buffer.size(); ++i) {
        std::uint32_t length = 0;
        for (int k = 0; k < 4; ++k) length = length << 8 | static_cast<unsigned char>(buffer[offset + k]);
        if (offset + 4 + length > buffer.size()) break;
        arguments.push_back(buffer.substr(offset + 4, length));
        offset += 4 + length;
      }
      if (arguments.size() == count) return arguments;
    }
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) return {};
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace

FakePm2Daemon::FakePm2Daemon() {
  home_ = make_temp_directory("pm-pm2-");
  std::ofstream(home_ + "/pm2.pid") << getpid();
  if (pipe2(stop_pipe_, O_CLOEXEC) != 0) fail("pipe2");
  listen_fd_ = listen_on_unix_socket(home_ + "/rpc.sock");
  server_ = std::thread([this] { serve(); });
}

FakePm2Daemon::~FakePm2Daemon() {
  (void)!write(stop_pipe_[1], "x", 1);
  server_.join();
  for (int fd : hung_) close(fd);
  close(listen_fd_);
  close(stop_pipe_[0]);
  close(stop_pipe_[1]);
  std::error_code ignored;
  std::filesystem::remove_all(home_, ignored);
}

void FakePm2Daemon::answer(std::string list_json) {
  std::lock_guard lock(mutex_);
  list_json_ = std::move(list_json);
}

std::vector<std::string> FakePm2Daemon::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

void FakePm2Daemon::serve() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) return;
    if (fds[0].revents == 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) answer_one(fd);
  }
}

// One call per connection, as process-monitor makes it.
void FakePm2Daemon::answer_one(int fd) {
  auto arguments = read_message(fd);
  if (arguments.size() != 2 || !arguments[0].starts_with("j:")) {
    close(fd);
    return;
  }
  auto call = nlohmann::json::parse(arguments[0].substr(2), nullptr, false);
  std::string body;
  {
    std::lock_guard lock(mutex_);
    calls_.push_back(call.is_object() ? call.value("method", "?") : "?");
    body = list_json_;
  }
  const Reply reply = reply_;
  if (reply == Reply::Hang) {
    hung_.push_back(fd);
    return;
  }
  std::string first =
      reply == Reply::Error ? "j:{\"error\":\"no such process\"}" : "j:{\"args\":[" + body + "]}";
  std::string message(1, static_cast<char>(1 << 4 | 2));
  message += amp_argument(first) + amp_argument(arguments[1]);  // the request id, echoed
  if (reply == Reply::HalfThenClose || reply == Reply::HalfThenHang) message.resize(message.size() / 2);
  (void)!write(fd, message.data(), message.size());
  if (reply == Reply::HalfThenHang) {
    hung_.push_back(fd);
    return;
  }
  close(fd);
}

}  // namespace pm::test
