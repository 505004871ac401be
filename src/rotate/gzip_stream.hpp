#pragma once
// gzip (RFC 1952) with zlib, streamed in chunks: compressing a 1 GB log
// holds one chunk of input and one of output in memory, never the file.
#include <expected>
#include <string>
#include <string_view>

#include "rotate/file_io.hpp"
#include "util/deadline.hpp"

namespace pm {

// Compresses `in` (read from offset 0 to its end) into `out` (written at its
// current offset). Checks `deadline` between chunks. Unexpected: an I/O
// error (or the deadline), as "cannot write /d/x.gz.pm-partial: No space
// left on device" with the paths given.
std::expected<void, std::string> gzip_file(int in, int out, Deadline deadline, std::string_view in_path,
                                           std::string_view out_path);

// Whether the gzip data in `gz` decompresses to exactly the bytes of
// `plain`. Unexpected: an I/O error, or `gz` is not valid gzip.
std::expected<bool, std::string> gzip_matches(int gz, int plain, Deadline deadline, std::string_view gz_path,
                                              std::string_view plain_path);

}  // namespace pm
