#pragma once
// Which file a path names, and which version of it: enough to tell that a
// file is still the one this process wrote. Every writer of the state file
// replaces it by rename (a new inode) and each write moves its mtime and
// ctime (nanoseconds), so an equal identity means an unchanged file.
#include <cstdint>
#include <optional>
#include <string>

namespace pm {

struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t modified_ns = 0;  // st_mtim
  std::int64_t changed_ns = 0;   // st_ctim: moved by any write, chmod or rename too
  bool operator==(const FileIdentity&) const = default;
};

// The identity of the file at `path` (symlinks followed); nullopt when it
// cannot be stat'ed (missing, no permission).
std::optional<FileIdentity> file_identity(const std::string& path);

}  // namespace pm
