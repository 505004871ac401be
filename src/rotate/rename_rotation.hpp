#pragma once
// The rename method for one live file: rename LIVE to its rotated name,
// then create a new empty LIVE. Every moment keeps every line: before the
// rename LIVE holds them; after it the rotated file does, and the writer
// keeps appending there (same inode) until it reopens LIVE.
#include <sys/stat.h>

#include <expected>
#include <string>

#include "rotate/log_directory.hpp"
#include "rotate/log_group.hpp"

namespace pm {

// `old`: the live file's stat, whose owner and mode the new file gets where
// `create` does not say. If the new file cannot be created (or given its
// owner and mode), it is removed and the rename undone: LIVE is as before
// and the error says why.
std::expected<void, std::string> rotate_by_rename(const LogDirectory& dir, const std::string& live,
                                                  const std::string& rotated_name, const CreateSpec& create,
                                                  const struct stat& old);

}  // namespace pm
