#pragma once
// The seam between the host checks and the machine: the /proc files, statvfs,
// the CPU count and the short wait of a first CPU sample. Tests pass a fake
// with recorded files; the real one reads this host.
#include <expected>
#include <string>
#include <string_view>

#include <sys/statvfs.h>

#include "util/duration.hpp"
#include "util/interrupt.hpp"

namespace pm {

class HostSource {
 public:
  virtual ~HostSource() = default;
  // The text of /proc/<name> ("meminfo", "loadavg", "stat"); unexpected: why not.
  virtual std::expected<std::string, std::string> read_proc(std::string_view name) = 0;
  // statvfs(3) of `path`; unexpected: "statvfs /path: reason".
  virtual std::expected<struct statvfs, std::string> stat_filesystem(const std::string& path) = 0;
  // Online CPUs, at least 1.
  virtual int online_cpus() = 0;
  // Waits `pause` (a signal may end it early).
  virtual void wait(Duration pause) = 0;
};

// This host: /proc, statvfs(3), sysconf(_SC_NPROCESSORS_ONLN); waits through `interrupt`.
class LocalHost : public HostSource {
 public:
  explicit LocalHost(const Interrupt* interrupt) : interrupt_(interrupt) {}
  std::expected<std::string, std::string> read_proc(std::string_view name) override;
  std::expected<struct statvfs, std::string> stat_filesystem(const std::string& path) override;
  int online_cpus() override;
  void wait(Duration pause) override;

 private:
  const Interrupt* interrupt_;
};

}  // namespace pm
