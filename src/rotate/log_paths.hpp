#pragma once
// From a group's paths and glob patterns to the live files it rotates.
// Only regular files are taken; names with the shape of a rotated or
// partial file (app.log.1, app.log-20261126, *.gz) matched by a pattern are
// never taken for live files, so `/var/log/app/*` does not rotate rotated
// files. A path written out in full is taken as it is.
#include <string>
#include <vector>

#include "rotate/log_group.hpp"

namespace pm {

struct LivePaths {
  std::vector<std::string> files;   // sorted, each once
  std::vector<std::string> notes;   // with missing_ok: what matched nothing
  std::vector<std::string> errors;  // without it; and symbolic links, directories, unreadable directories
};

// Whether `path` has glob(3) characters (*, ?, [).
bool is_glob(const std::string& path);

LivePaths find_live_files(const LogGroupConfig& group);

}  // namespace pm
