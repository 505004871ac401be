#include "state/state_dir.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace pm {
namespace {

namespace fs = boost::filesystem;

constexpr const char* kAppDir = "process-monitor";
constexpr std::size_t kMaxStemLength = 64;

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// FNV-1a, 64 bit: stable across compilers, builds and releases, unlike
// std::hash, so an upgrade finds the state the previous binary wrote.
std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string sanitized_stem(const fs::path& config_path) {
  std::string stem = config_path.stem().string();
  for (char& c : stem) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
    if (!keep) c = '_';
  }
  if (stem.size() > kMaxStemLength) stem.resize(kMaxStemLength);
  if (stem.empty()) return "config";
  if (stem.front() == '.') stem.front() = '_';  // never a hidden file
  return stem;
}

// "/a/./b/" -> "/a/b" (Boost keeps a trailing "." for a trailing slash).
std::string normalized(const fs::path& path) {
  fs::path clean = path.lexically_normal();
  if (clean.filename() == "." && clean.has_parent_path() && clean.parent_path() != clean.root_path()) {
    clean = clean.parent_path();
  }
  return clean.string();
}

std::string hint_for(int error) {
  if (error == EROFS) {
    return " (read-only file system; under systemd's ProtectSystem=strict add "
           "StateDirectory=process-monitor to the unit)";
  }
  if (error == EACCES || error == EPERM) return " (run as its owner, or choose another state directory)";
  return "";
}

std::string failure(const std::string& what, const std::string& path, int error) {
  return fmt::format("{} {}: {}{}", what, path, std::strerror(error), hint_for(error));
}

}  // namespace

StateDirEnvironment process_state_dir_environment() {
  StateDirEnvironment environment;
  environment.is_root = geteuid() == 0;
  environment.xdg_state_home = env_or_empty("XDG_STATE_HOME");
  environment.home = env_or_empty("HOME");
  if (environment.home.empty()) {
    // Timers and some cron daemons run without $HOME.
    if (const passwd* entry = getpwuid(geteuid()); entry != nullptr && entry->pw_dir != nullptr) {
      environment.home = entry->pw_dir;
    }
  }
  return environment;
}

std::expected<std::string, std::string> choose_state_dir(const std::optional<std::string>& configured,
                                                         const StateDirEnvironment& environment) {
  if (configured) {
    // Relative to what? cron's working directory is rarely the one meant.
    if (!fs::path(*configured).is_absolute()) {
      return std::unexpected(fmt::format("state directory '{}' must be an absolute path", *configured));
    }
    return normalized(*configured);
  }
  if (environment.is_root) return (fs::path("/var/lib") / kAppDir).string();
  // The XDG spec: a relative path in these variables is invalid and ignored.
  if (fs::path(environment.xdg_state_home).is_absolute()) {
    return normalized(fs::path(environment.xdg_state_home) / kAppDir);
  }
  if (fs::path(environment.home).is_absolute()) {
    return normalized(fs::path(environment.home) / ".local/state" / kAppDir);
  }
  return std::unexpected(
      std::string("cannot choose a state directory: neither $XDG_STATE_HOME nor $HOME is an absolute path; "
                  "configure the state directory"));
}

std::string state_file_path(const std::string& state_dir, const std::string& config_path) {
  // Not canonical(): a config reached through a symlink that a deploy
  // repoints keeps its history.
  const fs::path absolute = fs::absolute(config_path).lexically_normal();
  const std::uint64_t hash = fnv1a(absolute.string());
  const std::string name = fmt::format("{}-{:012x}.state.json", sanitized_stem(absolute), hash >> 16);
  return (fs::path(state_dir) / name).string();
}

std::expected<void, std::string> ensure_state_dir(const std::string& state_dir) {
  const fs::path target = normalized(state_dir);
  std::vector<fs::path> missing;
  for (fs::path at = target; !at.empty(); at = at.parent_path()) {
    struct stat info {};
    if (::stat(at.c_str(), &info) == 0) {
      if (!S_ISDIR(info.st_mode)) {
        return std::unexpected(
            fmt::format("cannot create state directory {}: {} is not a directory", state_dir, at.string()));
      }
      break;
    }
    // ENOTDIR: a file somewhere above; walking on finds and names it.
    if (errno != ENOENT && errno != ENOTDIR) {
      return std::unexpected(failure("cannot create state directory", state_dir, errno));
    }
    missing.push_back(at);
    if (at == at.root_path()) break;
  }
  // mkdir() with the mode, not Boost's create_directory() and a chmod after:
  // the directory is never open to others, not even for a moment. The chmod
  // restores owner bits a strict umask took away.
  for (auto at = missing.rbegin(); at != missing.rend(); ++at) {
    if (::mkdir(at->c_str(), 0700) == 0) {
      ::chmod(at->c_str(), 0700);
    } else if (errno != EEXIST) {  // EEXIST: a concurrent run made it first
      return std::unexpected(failure("cannot create state directory", at->string(), errno));
    }
  }
  // The effective ids decide, as they will for the save; EROFS shows here too.
  if (::faccessat(AT_FDCWD, target.c_str(), W_OK | X_OK, AT_EACCESS) != 0) {
    return std::unexpected(failure("cannot write to state directory", state_dir, errno));
  }
  return {};
}

}  // namespace pm
