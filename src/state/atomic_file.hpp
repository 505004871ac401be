#pragma once
// Replacing a file so that readers and crashes see the old content or the
// new, never a mix or an empty file.
#include <sys/types.h>

#include <expected>
#include <functional>
#include <string>
#include <string_view>

namespace pm {

struct AtomicWriteError {
  std::string cause;      // e.g. "No space left on device while writing /d/x.tmp-1a2b3c4d"
  bool replaced = false;  // true only when the rename happened but the directory sync failed
};

// Takes a file's content piece by piece; false when a piece could not be written.
using TextSink = std::function<bool(std::string_view)>;
// Writes a whole content into the sink it is given; false as soon as the sink
// returned false (the content is then incomplete).
using TextSource = std::function<bool(const TextSink&)>;

// Writes the content `write` produces to a new temporary file next to `path`
// (mode `mode`, O_EXCL, not following symlinks), fsyncs it, renames it over
// `path` and fsyncs the directory. On failure before the rename `path` is
// untouched and the temporary file is removed. The content goes to the file
// as it is produced: a large one never needs to be held whole.
std::expected<void, AtomicWriteError> replace_file_atomically(const std::string& path,
                                                              const TextSource& write, mode_t mode = 0600);
// The same with the content at hand.
std::expected<void, AtomicWriteError> replace_file_atomically(const std::string& path,
                                                              std::string_view content, mode_t mode = 0600);

}  // namespace pm
