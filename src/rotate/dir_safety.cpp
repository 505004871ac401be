#include "rotate/dir_safety.hpp"

#include <grp.h>
#include <pwd.h>

#include <fmt/format.h>

namespace pm {
namespace {

std::string group_name(gid_t gid) {
  const group* entry = getgrgid(gid);
  return entry != nullptr ? fmt::format("group '{}'", entry->gr_name) : fmt::format("group {}", gid);
}

std::string user_name(uid_t uid) {
  const passwd* entry = getpwuid(uid);
  return entry != nullptr ? entry->pw_name : fmt::format("{}", uid);
}

}  // namespace

std::expected<void, std::string> check_directory_safety(const std::string& dir, const struct stat& info) {
  std::string who;
  if ((info.st_mode & S_IWOTH) != 0) {
    who = "everyone";
  } else if ((info.st_mode & S_IWGRP) != 0 && info.st_gid != 0) {
    who = group_name(info.st_gid);
  } else {
    return {};
  }
  return std::unexpected(fmt::format(
      "refusing to rotate in {} (owner {}, mode {:04o}): it is writable by {}, and whoever can write there "
      "can "
      "swap a log for a link between two rotation steps and make process-monitor create, chown or remove "
      "other "
      "files with its privileges (logrotate's 'su' problem); fix it with 'chmod o-w,g-w {}', or run "
      "process-monitor as the directory's owner, or set allow_unsafe_dir = true for this [[logs]] group if "
      "everyone who can write there is trusted",
      dir, user_name(info.st_uid), info.st_mode & 07777, who, dir));
}

}  // namespace pm
