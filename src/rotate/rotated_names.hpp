#pragma once
// The names of rotated files, and finding the rotated files of a live file
// among a directory's names. Only names this module would produce count:
//   numbered  LIVE.N and LIVE.N.gz                (N >= 1; 1 is the newest)
//   dated     LIVE-YYYYMMDD, LIVE-YYYYMMDD-HHMMSS, LIVE-YYYYMMDD-HHMMSS-K,
//             each also with .gz                 (later is newer)
// so retention can never take a file it did not make.
#include <array>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rotate/log_group.hpp"

namespace pm {

inline constexpr std::string_view kGzipSuffix = ".gz";

struct RotatedFile {
  std::string name;  // in the live file's directory
  bool compressed = false;
  // The generation: files sort newest first by it, and LIVE.3 and LIVE.3.gz
  // (an interrupted compression) are the same generation.
  std::array<std::int64_t, 3> generation{};
  std::uint64_t size = 0;  // filled in by whoever stats the file

  // The name without ".gz".
  std::string plain_name() const;
};

// `candidate` as a rotated file of `live` (both plain file names), or nullopt.
std::optional<RotatedFile> parse_rotated_name(std::string_view live, std::string_view candidate,
                                              RotatedNaming naming);

// The rotated files of `live` among `names`, newest first (same generation:
// uncompressed first).
std::vector<RotatedFile> rotated_files_of(std::string_view live, const std::vector<std::string>& names,
                                          RotatedNaming naming);

// Whether `name` has the shape of any rotated file of any live file, or of
// a partial file: glob matches like that are never taken for live files.
bool looks_rotated(std::string_view name);

// The rotated files as they are once a new rotated file is added: numbered
// names move up by one (LIVE.1 -> LIVE.2, LIVE.2.gz -> LIVE.3.gz, the same
// order as `newest_first`); dated names stay.
std::vector<RotatedFile> shifted_for_new(const std::vector<RotatedFile>& newest_first, std::string_view live,
                                         RotatedNaming naming);

// "app.log.3" or "app.log.3.gz".
std::string numbered_name(std::string_view live, std::int64_t index, bool compressed);

// The name of a new dated rotated file, given the rotated files there are:
// LIVE-YYYYMMDD when no rotated file of that day exists, else with -HHMMSS,
// else with -HHMMSS-2, -3, ... so that names still sort by age.
std::string dated_name(std::string_view live, const std::tm& local, const std::vector<RotatedFile>& existing);

}  // namespace pm
