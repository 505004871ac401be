#pragma once
// Plain reads and writes of whole buffers and byte ranges, in fixed-size
// chunks: copying a 1 GB log never holds more than one chunk in memory.
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>

#include "util/deadline.hpp"

namespace pm {

inline constexpr std::size_t kCopyChunk = 256 * 1024;

// An I/O failure: the errno, and whether it was the read or the write side.
struct IoError {
  int error = 0;
  bool writing = false;
  bool deadline = false;  // the deadline passed between chunks (error is 0)
};

// Writes all of `data` at the current offset, retrying short writes and EINTR.
std::expected<void, IoError> write_all(int fd, std::span<const char> data);

// Reads up to `buffer.size()` bytes at `offset`; 0 bytes is the end of file.
std::expected<std::size_t, IoError> read_at(int fd, std::span<char> buffer, std::uint64_t offset);

// Copies bytes [offset, offset + length) of `in` to the current offset of
// `out`; with length = UINT64_MAX, up to the end of file. Returns the bytes
// copied. Checks `deadline` between chunks.
std::expected<std::uint64_t, IoError> copy_range(int in, int out, std::uint64_t offset, std::uint64_t length,
                                                 Deadline deadline);

}  // namespace pm

namespace pm {

// "cannot read /d/a: Input/output error", "cannot write /d/b: No space left
// on device", or "the deadline passed while copying /d/a".
std::string describe(const IoError& error, std::string_view read_path, std::string_view write_path);

}  // namespace pm
