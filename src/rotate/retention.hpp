#pragma once
// Which rotated files go and which get compressed: pure decisions over the
// rotated files of one live file (rotated_names.hpp), newest first. Files
// of one generation (LIVE.3 and LIVE.3.gz after an interrupted compression)
// are kept or removed together.
#include <cstdint>
#include <optional>
#include <vector>

#include "rotate/rotated_names.hpp"

namespace pm {

// The files to remove, oldest first: every generation after the first
// `keep`, then more of the oldest until the sizes of those left add up to at
// most `max_total` (which may take even the newest).
std::vector<RotatedFile> plan_removals(const std::vector<RotatedFile>& newest_first, int keep,
                                       std::optional<std::uint64_t> max_total);

// The uncompressed files to compress, oldest first; with `delay_compress`
// the newest generation waits for the next rotation.
std::vector<RotatedFile> plan_compressions(const std::vector<RotatedFile>& newest_first, bool delay_compress);

}  // namespace pm
