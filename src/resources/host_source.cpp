#include "resources/host_source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "util/unique_fd.hpp"

namespace pm {
namespace {

// /proc/stat grows with the CPU count; far beyond any machine's.
constexpr std::size_t kMaxProcFile = 4 * 1024 * 1024;

}  // namespace

std::expected<std::string, std::string> LocalHost::read_proc(std::string_view name) {
  const std::string path = fmt::format("/proc/{}", name);
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::unexpected(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  std::string text;
  char buffer[16 * 1024];
  while (text.size() <= kMaxProcFile) {
    ssize_t count = read(fd.get(), buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) return std::unexpected(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    if (count == 0) return text;
    text.append(buffer, static_cast<std::size_t>(count));
  }
  return std::unexpected(fmt::format("cannot read {}: larger than {} bytes", path, kMaxProcFile));
}

std::expected<struct statvfs, std::string> LocalHost::stat_filesystem(const std::string& path) {
  struct statvfs stats {};
  if (statvfs(path.c_str(), &stats) != 0)
    return std::unexpected(fmt::format("statvfs {}: {}", path, std::strerror(errno)));
  return stats;
}

int LocalHost::online_cpus() {
  long count = sysconf(_SC_NPROCESSORS_ONLN);
  return count < 1 ? 1 : static_cast<int>(count);
}

void LocalHost::wait(Duration pause) { interrupt_->sleep_for(pause); }

}  // namespace pm
