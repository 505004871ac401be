#include "rotate/file_io.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include <fmt/format.h>

#include "rotate/log_directory.hpp"

namespace pm {

std::expected<void, IoError> write_all(int fd, std::span<const char> data) {
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(IoError{errno, true});
    }
    data = data.subspan(static_cast<std::size_t>(written));
  }
  return {};
}

std::expected<std::size_t, IoError> read_at(int fd, std::span<char> buffer, std::uint64_t offset) {
  while (true) {
    ssize_t count = pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
    if (count >= 0) return static_cast<std::size_t>(count);
    if (errno != EINTR) return std::unexpected(IoError{errno, false});
  }
}

std::expected<std::uint64_t, IoError> copy_range(int in, int out, std::uint64_t offset, std::uint64_t length,
                                                 Deadline deadline) {
  std::vector<char> buffer(kCopyChunk);
  std::uint64_t copied = 0;
  while (copied < length) {
    if (deadline.expired()) return std::unexpected(IoError{0, false, true});
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), length - copied));
    auto count = read_at(in, std::span(buffer).first(want), offset + copied);
    if (!count) return std::unexpected(count.error());
    if (*count == 0) break;
    if (auto written = write_all(out, std::span<const char>(buffer).first(*count)); !written) {
      return std::unexpected(written.error());
    }
    copied += *count;
  }
  return copied;
}

}  // namespace pm

namespace pm {

std::string describe(const IoError& error, std::string_view read_path, std::string_view write_path) {
  if (error.deadline) return fmt::format("the run's deadline passed while copying {}", read_path);
  return os_error(
      fmt::format("{} {}", error.writing ? "write" : "read", error.writing ? write_path : read_path),
      error.error);
}

}  // namespace pm
