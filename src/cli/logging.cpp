#include "cli/logging.hpp"

#include <memory>
#include <vector>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace pm {

std::expected<void, std::string> setup_logging(const std::string& level, bool quiet,
                                               const std::optional<std::string>& log_file) {
  auto stderr_level = spdlog::level::from_str(level.empty() ? (quiet ? "warn" : "info") : level);
  std::vector<spdlog::sink_ptr> sinks;
  // Not the colour sink: cron mails and CI logs should not carry escape codes.
  auto to_stderr = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  to_stderr->set_level(stderr_level);
  to_stderr->set_pattern("process-monitor: %l: %v");
  sinks.push_back(to_stderr);
  if (log_file) {
    try {
      auto to_file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(*log_file);
      // The file keeps the events (restarts, failures) even on quiet runs.
      to_file->set_level(std::min(stderr_level, spdlog::level::info));
      to_file->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z [%P] %l: %v");
      sinks.push_back(to_file);
    } catch (const spdlog::spdlog_ex& error) {
      return std::unexpected(std::string("cannot open log file: ") + error.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>("process-monitor", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  return {};
}

}  // namespace pm
