#include "config/limit_keys.hpp"

#include <array>
#include <charconv>

#include <fmt/format.h>

#include "config/key_reader.hpp"
#include "config/text_rules.hpp"

namespace pm {
namespace {

// A run count beyond this is a typo: at one run a minute, a week.
constexpr int kMaxCycles = 10080;
// 100% per CPU; this many CPUs is more than any host this runs on.
constexpr std::int64_t kMaxCpuPercent = 100 * 1024;

constexpr std::array<std::string_view, 2> kActions{"warn", "restart"};

void read_action(FieldReader& reader, const toml::node& value, std::string_view key, LimitAction& out) {
  std::string action;
  if (!reader.read_string(value, key, action)) return;
  if (action == "warn") {
    out = LimitAction::Warn;
  } else if (action == "restart") {
    out = LimitAction::Restart;
  } else {
    reader.fail(value.source(), fmt::format("'{}' must be \"warn\" or \"restart\", got {}{}", key,
                                            quoted(action), did_you_mean(action, kActions)));
  }
}

// "90%", "250%": a share of one CPU, stored as a ratio (0.9, 2.5).
void read_cpu(FieldReader& reader, const toml::node& value, std::optional<double>& out) {
  std::string text;
  if (!reader.read_string(value, "cpu", text)) return;
  std::int64_t percent = 0;
  const char* end = text.data() + text.size() - 1;
  bool valid = text.size() >= 2 && text.back() == '%' &&
               std::from_chars(text.data(), end, percent).ptr == end && percent >= 1 &&
               percent <= kMaxCpuPercent;
  if (!valid) {
    reader.fail(
        value.source(),
        fmt::format("'cpu' must be a share of one CPU from \"1%\" to \"{}%\" (\"90%\"; \"250%\" is two and a "
                    "half CPUs), got {}",
                    kMaxCpuPercent, quoted(text)));
    return;
  }
  out = static_cast<double>(percent) / 100.0;
}

constexpr std::array<Key<ServiceLimits>, 6> kLimitKeys{{
    {"memory",
     [](FieldReader& reader, const toml::node& value, ServiceLimits& limits) {
       std::uint64_t bytes = 0;
       if (reader.read_size(value, "memory", bytes)) limits.memory_bytes = bytes;
     }},
    {"memory_cycles",
     [](FieldReader& reader, const toml::node& value, ServiceLimits& limits) {
       reader.read_integer(value, "memory_cycles", 1, kMaxCycles, limits.memory_cycles);
     }},
    {"memory_action",
     [](FieldReader& reader, const toml::node& value, ServiceLimits& limits) {
       read_action(reader, value, "memory_action", limits.memory_action);
     }},
    {"cpu", [](FieldReader& reader, const toml::node& value,
               ServiceLimits& limits) { read_cpu(reader, value, limits.cpu_ratio); }},
    {"cpu_cycles",
     [](FieldReader& reader, const toml::node& value, ServiceLimits& limits) {
       reader.read_integer(value, "cpu_cycles", 1, kMaxCycles, limits.cpu_cycles);
     }},
    {"cpu_action",
     [](FieldReader& reader, const toml::node& value, ServiceLimits& limits) {
       read_action(reader, value, "cpu_action", limits.cpu_action);
     }},
}};

}  // namespace

std::vector<std::string_view> limit_key_names() { return names_of(kLimitKeys); }

ServiceLimits read_limits(FieldReader& reader, const toml::table& table) {
  ServiceLimits limits;
  read_keys(reader, table, "[service.limits]", kLimitKeys, limits);
  // Only once everything else reads: a misspelt "memroy" has the better message.
  if (!limits.configured() && !reader.failed()) {
    reader.fail(table.source(), "[service.limits] sets no limit: add memory = \"512MiB\" or cpu = \"90%\"");
  }
  return limits;
}

}  // namespace pm
