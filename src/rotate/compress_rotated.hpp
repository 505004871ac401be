#pragma once
// Compressing one rotated file: LIVE.2 -> LIVE.2.gz. The order keeps the
// data whole at every moment: gzip into LIVE.2.gz.pm-partial, fsync, rename
// to LIVE.2.gz (never over an existing file), sync the directory, and only
// then remove LIVE.2. A file some process still has open (a writer that has
// not reopened yet) is left for a later run: removing it would lose what
// that writer still appends.
#include <expected>
#include <string>

#include "rotate/log_directory.hpp"
#include "rotate/rotated_names.hpp"
#include "util/deadline.hpp"

namespace pm {

struct CompressOutcome {
  bool compressed = false;  // false: deferred, see note
  std::string note;         // why deferred, or a caveat ("no lease: ...")
};

// Compresses `file` (uncompressed) in `dir`. When LIVE.2.gz exists already
// (a run stopped between the rename and the removal), LIVE.2 is removed if
// the two hold the same data, else it is an error naming both. Unexpected:
// the I/O error; the uncompressed file is then untouched and no partial file
// is left.
std::expected<CompressOutcome, std::string> compress_rotated(const LogDirectory& dir, const RotatedFile& file,
                                                             Deadline deadline);

}  // namespace pm
