#include "backend/docker_stats.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pm {
namespace {

using json = nlohmann::json;

// The unsigned integer at `key` of `object`: unset when absent or null;
// unexpected when it is something else.
std::expected<std::optional<std::uint64_t>, std::string> counter(const json& object, const char* key,
                                                                 std::string_view path) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return std::nullopt;
  if (!found->is_number_unsigned() && !(found->is_number_integer() && found->get<std::int64_t>() >= 0)) {
    return std::unexpected(fmt::format("{}.{} is not a count ({})", path, key, found->type_name()));
  }
  return found->get<std::uint64_t>();
}

// The object at `key`, or nullptr when absent or null; unexpected when it is something else.
std::expected<const json*, std::string> child(const json& object, const char* key, std::string_view path) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return nullptr;
  if (!found->is_object()) return std::unexpected(fmt::format("{}.{} is not an object", path, key));
  return &*found;
}

}  // namespace

std::expected<ResourceUse, std::string> parse_container_stats(std::string_view body) {
  json root = json::parse(body, nullptr, false);
  if (root.is_discarded() || !root.is_object())
    return std::unexpected("the stats answer is not a JSON object");
  ResourceUse use;

  auto memory = child(root, "memory_stats", "stats");
  if (!memory) return std::unexpected(memory.error());
  if (*memory != nullptr) {
    auto usage = counter(**memory, "usage", "memory_stats");
    if (!usage) return std::unexpected(usage.error());
    auto detail = child(**memory, "stats", "memory_stats");
    if (!detail) return std::unexpected(detail.error());
    std::optional<std::uint64_t> cache;
    if (*detail != nullptr) {
      for (const char* key : {"total_inactive_file", "inactive_file"}) {
        auto value = counter(**detail, key, "memory_stats.stats");
        if (!value) return std::unexpected(value.error());
        if (*value) {
          cache = *value;
          break;
        }
      }
    }
    if (*usage) use.memory_bytes = **usage - std::min(**usage, cache.value_or(0));
  }

  auto cpu = child(root, "cpu_stats", "stats");
  if (!cpu) return std::unexpected(cpu.error());
  if (*cpu != nullptr) {
    auto usage = child(**cpu, "cpu_usage", "cpu_stats");
    if (!usage) return std::unexpected(usage.error());
    if (*usage != nullptr) {
      auto total = counter(**usage, "total_usage", "cpu_stats.cpu_usage");
      if (!total) return std::unexpected(total.error());
      // A container without a cpu cgroup reports 0: nothing measured, not "idle since start".
      if (*total && **total > 0) use.cpu_time_ns = **total;
    }
  }
  return use;
}

}  // namespace pm
