#include "rotate/log_paths.hpp"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "rotate/rotated_names.hpp"

namespace pm {
namespace {

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// A path written out in full: it must be a regular file (or missing, with missing_ok).
void take_path(const std::string& path, bool missing_ok, LivePaths& out, std::set<std::string>& taken) {
  struct stat info {};
  if (lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT && missing_ok) {
      out.notes.push_back(fmt::format("{} does not exist (missing_ok)", path));
    } else if (errno == ENOENT) {
      out.errors.push_back(fmt::format("{} does not exist (set missing_ok = true if that is normal)", path));
    } else {
      out.errors.push_back(fmt::format("cannot stat {}: {}", path, std::strerror(errno)));
    }
  } else if (S_ISLNK(info.st_mode)) {
    out.errors.push_back(
        fmt::format("{} is a symbolic link, which rotation never follows: give the path of the "
                    "file it points to",
                    path));
  } else if (S_ISDIR(info.st_mode)) {
    out.errors.push_back(
        fmt::format("{} is a directory: give the log files in it (e.g. {}/*.log)", path, path));
  } else if (!S_ISREG(info.st_mode)) {
    out.errors.push_back(fmt::format("{} is not a regular file", path));
  } else if (taken.insert(path).second) {
    out.files.push_back(path);
  }
}

thread_local int glob_errno = 0;  // glob(3) passes no user data to its error callback

int glob_error(const char*, int error) {
  glob_errno = error;
  return 1;  // stop: an unreadable directory is reported, not silently skipped
}

void take_glob(const std::string& pattern, bool missing_ok, LivePaths& out, std::set<std::string>& taken) {
  glob_t found{};
  glob_errno = 0;
  int status = glob(pattern.c_str(), GLOB_ERR, glob_error, &found);
  std::size_t files_before = out.files.size();
  std::size_t errors_before = out.errors.size();
  if (status == 0) {
    for (std::size_t i = 0; i < found.gl_pathc; ++i) {
      std::string path = found.gl_pathv[i];
      struct stat info {};
      if (looks_rotated(base_name(path)) || lstat(path.c_str(), &info) != 0) continue;
      if (S_ISLNK(info.st_mode)) {
        out.errors.push_back(fmt::format(
            "{} (matched by {}) is a symbolic link, which rotation never follows", path, pattern));
      } else if (S_ISREG(info.st_mode) && taken.insert(path).second) {
        out.files.push_back(path);
      }
    }
  } else if (status == GLOB_ABORTED) {
    out.errors.push_back(
        fmt::format("cannot read a directory of {}: {}", pattern, std::strerror(glob_errno)));
  }
  globfree(&found);
  if (out.files.size() > files_before || out.errors.size() > errors_before) return;
  if (missing_ok) {
    out.notes.push_back(fmt::format("{} matches no log file (missing_ok)", pattern));
  } else {
    out.errors.push_back(
        fmt::format("{} matches no log file (set missing_ok = true if that is normal)", pattern));
  }
}

}  // namespace

bool is_glob(const std::string& path) { return path.find_first_of("*?[") != std::string::npos; }

LivePaths find_live_files(const LogGroupConfig& group) {
  LivePaths out;
  std::set<std::string> taken;
  for (const auto& path : group.paths) {
    if (is_glob(path)) {
      take_glob(path, group.missing_ok, out, taken);
    } else {
      take_path(path, group.missing_ok, out, taken);
    }
  }
  std::ranges::sort(out.files);
  return out;
}

}  // namespace pm
