#include "resources/proc_files.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <vector>

#include <fmt/format.h>

namespace pm {
namespace {

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

// The whitespace-separated fields of one line.
std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t at = 0;
  while (at < line.size()) {
    at = line.find_first_not_of(" \t", at);
    if (at == std::string_view::npos) break;
    std::size_t end = line.find_first_of(" \t", at);
    if (end == std::string_view::npos) end = line.size();
    fields.push_back(line.substr(at, end - at));
    at = end;
  }
  return fields;
}

template <typename Number>
std::optional<Number> number_of(std::string_view text) {
  Number value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Calls `line_fn(line)` for every line of `text` until it returns false.
template <typename LineFn>
void each_line(std::string_view text, LineFn line_fn) {
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line_fn(line)) return;
    if (end == std::string_view::npos) return;
    text.remove_prefix(end + 1);
  }
}

// The value of a "Name:   1234 kB" line of /proc/meminfo.
std::optional<std::uint64_t> meminfo_kib(std::string_view value) {
  value = trim_spaces(value);
  if (value.ends_with(" kB")) value = trim_spaces(value.substr(0, value.size() - 3));
  return number_of<std::uint64_t>(value);
}

}  // namespace

double MemoryInfo::used_ratio() const {
  if (total_kib == 0 || available_kib >= total_kib) return 0.0;
  return static_cast<double>(total_kib - available_kib) / static_cast<double>(total_kib);
}

std::expected<MemoryInfo, std::string> parse_meminfo(std::string_view text) {
  std::optional<std::uint64_t> total;
  std::optional<std::uint64_t> available;
  std::string problem;
  each_line(text, [&](std::string_view line) {
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return true;
    std::string_view name = line.substr(0, colon);
    if (name != "MemTotal" && name != "MemAvailable") return true;
    auto kib = meminfo_kib(line.substr(colon + 1));
    if (!kib) {
      problem = fmt::format("/proc/meminfo: {} is not a number of kB: '{}'", name, trim_spaces(line));
      return false;
    }
    (name == "MemTotal" ? total : available) = *kib;
    return true;
  });
  if (!problem.empty()) return std::unexpected(problem);
  if (!total || *total == 0) return std::unexpected("/proc/meminfo: no MemTotal (or it is 0)");
  if (!available) return std::unexpected("/proc/meminfo: no MemAvailable (a kernel older than 3.14?)");
  return MemoryInfo{*total, *available};
}

std::expected<double, std::string> parse_loadavg(std::string_view text) {
  auto fields = fields_of(text.substr(0, text.find('\n')));
  if (fields.empty()) return std::unexpected("/proc/loadavg: empty");
  auto load = number_of<double>(fields[0]);
  if (!load || !std::isfinite(*load) || *load < 0)
    return std::unexpected(fmt::format("/proc/loadavg: the 1-minute load '{}' is not a number", fields[0]));
  return *load;
}

std::expected<CpuTimes, std::string> parse_proc_stat(std::string_view text) {
  std::optional<CpuTimes> times;
  std::optional<std::int64_t> boot_time;
  std::string problem;
  each_line(text, [&](std::string_view line) {
    auto fields = fields_of(line);
    if (fields.size() == 2 && fields[0] == "btime") boot_time = number_of<std::int64_t>(fields[1]);
    if (fields.empty() || fields[0] != "cpu") return true;
    // user nice system idle iowait irq softirq steal [guest guest_nice: inside user and nice]
    std::array<std::uint64_t, 8> ticks{};
    if (fields.size() < 5) {
      problem = "/proc/stat: the cpu line has fewer than 4 counters";
      return false;
    }
    for (std::size_t i = 0; i < ticks.size() && i + 1 < fields.size(); ++i) {
      auto value = number_of<std::uint64_t>(fields[i + 1]);
      if (!value) {
        problem = fmt::format("/proc/stat: cpu counter {} is not a number: '{}'", i + 1, fields[i + 1]);
        return false;
      }
      ticks[i] = *value;
    }
    // Counted in USER_HZ ticks, a kernel's never come near 2^64; a sum that
    // wraps would make busy > total (found by the proc_files fuzz target).
    std::uint64_t idle = 0;
    std::uint64_t busy = 0;
    std::uint64_t total = 0;
    bool wrapped = __builtin_add_overflow(ticks[3], ticks[4], &idle);
    for (std::size_t i : {0U, 1U, 2U, 5U, 6U, 7U}) wrapped |= __builtin_add_overflow(busy, ticks[i], &busy);
    wrapped |= __builtin_add_overflow(busy, idle, &total);
    if (wrapped) {
      problem = "/proc/stat: the cpu counters add up past 2^64, which no kernel counts to";
      return false;
    }
    times = CpuTimes{busy, total, std::nullopt};
    return true;
  });
  if (!problem.empty()) return std::unexpected(problem);
  if (!times) return std::unexpected("/proc/stat: no cpu line");
  times->boot_time = boot_time;
  return *times;
}

std::optional<double> cpu_busy_ratio(const CpuTimes& earlier, const CpuTimes& later) {
  if (earlier.boot_time && later.boot_time && *earlier.boot_time != *later.boot_time) return std::nullopt;
  if (later.total <= earlier.total || later.busy < earlier.busy) return std::nullopt;
  const auto busy = static_cast<double>(later.busy - earlier.busy);
  const auto total = static_cast<double>(later.total - earlier.total);
  return busy >= total ? 1.0 : busy / total;
}

}  // namespace pm
