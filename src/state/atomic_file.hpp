#pragma once
// Replacing a file so that readers and crashes see the old content or the
// new, never a mix or an empty file.
#include <sys/types.h>

#include <expected>
#include <string>
#include <string_view>

namespace pm {

struct AtomicWriteError {
  std::string cause;      // e.g. "No space left on device while writing /d/x.tmp-1a2b3c4d"
  bool replaced = false;  // true only when the rename happened but the directory sync failed
};

// Writes `content` to a new temporary file next to `path` (mode `mode`,
// O_EXCL, not following symlinks), fsyncs it, renames it over `path` and
// fsyncs the directory. On failure before the rename `path` is untouched and
// the temporary file is removed.
std::expected<void, AtomicWriteError> replace_file_atomically(const std::string& path,
                                                              std::string_view content, mode_t mode = 0600);

}  // namespace pm
