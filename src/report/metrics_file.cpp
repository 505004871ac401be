#include "report/metrics_file.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "report/prometheus_metrics.hpp"
#include "state/atomic_file.hpp"

namespace pm {

std::expected<void, std::string> write_metrics_file(const std::string& path, std::string_view text) {
  if (auto written = replace_file_atomically(path, text, 0644); !written)
    return std::unexpected(fmt::format("cannot write the metrics file {}: {}", path, written.error().cause));
  return {};
}

bool publish_metrics_file(const std::string& path, const CycleResult& cycle,
                          const std::map<std::string, ServiceHistory>& histories, WallTime finished_at) {
  auto written = write_metrics_file(path, render_prometheus_metrics(cycle, histories, finished_at));
  if (!written) spdlog::error("{}", written.error());
  return written.has_value();
}

}  // namespace pm
