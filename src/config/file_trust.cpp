#include "config/file_trust.hpp"

#include <grp.h>
#include <pwd.h>

#include <cerrno>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace pm {
namespace {

std::string user_name(uid_t uid) {
  if (const passwd* entry = getpwuid(uid)) return fmt::format("'{}' (uid {})", entry->pw_name, uid);
  return fmt::format("uid {}", uid);
}

std::string group_name(gid_t gid) {
  if (const group* entry = getgrgid(gid)) return fmt::format("'{}'", entry->gr_name);
  return fmt::format("gid {}", gid);
}

}  // namespace

std::optional<uid_t> required_owner_for(uid_t euid) {
  if (euid == 0) return uid_t{0};
  return std::nullopt;
}

std::expected<void, std::string> check_trusted(const struct stat& status, std::string_view path,
                                               uid_t owner) {
  std::vector<std::string> problems;
  std::vector<std::string> fixes;
  if (status.st_uid != owner) {
    problems.push_back(fmt::format("is owned by {}, not {}", user_name(status.st_uid), user_name(owner)));
    fixes.push_back(
        fmt::format("chown {} {}", owner == 0 ? std::string("root") : std::to_string(owner), path));
  }
  const bool by_group = (status.st_mode & S_IWGRP) != 0;
  const bool by_others = (status.st_mode & S_IWOTH) != 0;
  if (by_group && by_others) {
    problems.push_back(fmt::format("is writable by group {} and by others", group_name(status.st_gid)));
  } else if (by_group) {
    problems.push_back(fmt::format("is writable by group {}", group_name(status.st_gid)));
  } else if (by_others) {
    problems.push_back("is writable by others");
  }
  if (by_group || by_others) {
    fixes.push_back(
        fmt::format("chmod {}-w {}", by_group && by_others ? "go" : (by_group ? "g" : "o"), path));
  }
  if (problems.empty()) return {};
  return std::unexpected(
      fmt::format("{} {}: run {} (another user could make this root process run "
                  "their commands)",
                  path, fmt::join(problems, " and "), fmt::join(fixes, "; ")));
}

std::expected<void, std::string> check_trusted_path(const std::string& path, uid_t owner) {
  struct stat status {};
  if (stat(path.c_str(), &status) != 0) return {};
  return check_trusted(status, path, owner);
}

}  // namespace pm
