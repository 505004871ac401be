#include "config/resource_keys.hpp"

#include <array>
#include <charconv>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "config/key_reader.hpp"
#include "config/text_rules.hpp"

namespace pm {
namespace {

// A load per CPU beyond this is a typo (a percentage written as a load?).
constexpr double kMaxLoadPerCpu = 1000;

// A threshold as read, with where each level was written for the warn < critical rule.
struct LevelsDraft {
  Threshold levels;
  std::optional<toml::source_region> warn_at, critical_at;
};

struct ResourcesDraft {
  LevelsDraft memory, load, cpu;
  std::vector<DiskThreshold> disks;
};

struct DiskDraft {
  std::string path;
  LevelsDraft used;
};

std::string percent_problem(std::string_view key, std::string_view got) {
  return fmt::format("'{}' must be a percentage: an integer 1-100 or a string like \"90%\", got {}", key,
                     got);
}

// An integer 1-100, or a string "1%"-"100%"; stored as a ratio (0.01-1).
void read_percent(FieldReader& reader, const toml::node& value, std::string_view key,
                  std::optional<double>& out, std::optional<toml::source_region>& at) {
  std::optional<std::int64_t> percent;
  if (const auto* number = value.as_integer()) {
    percent = number->get();
    if (*percent < 1 || *percent > 100) {
      reader.fail(value.source(), percent_problem(key, std::to_string(*percent)));
      return;
    }
  } else if (const auto* text = value.as_string()) {
    std::string_view written = text->get();
    std::int64_t parsed = 0;
    const char* end = written.data() + written.size() - 1;
    bool valid = written.size() >= 2 && written.back() == '%' &&
                 std::from_chars(written.data(), end, parsed).ptr == end && parsed >= 1 && parsed <= 100;
    if (!valid) {
      reader.fail(value.source(), percent_problem(key, quoted(written)));
      return;
    }
    percent = parsed;
  } else {
    reader.fail(value.source(), percent_problem(key, toml_type_name(value)));
    return;
  }
  out = static_cast<double>(*percent) / 100.0;
  at = value.source();
}

// A number above 0 and at most kMaxLoadPerCpu, integer or float.
void read_load(FieldReader& reader, const toml::node& value, std::string_view key, std::optional<double>& out,
               std::optional<toml::source_region>& at) {
  std::optional<double> load = value.value<double>();
  if (!value.is_number() || !load || !(*load > 0) || *load > kMaxLoadPerCpu) {
    reader.fail(value.source(),
                fmt::format("'{}' must be a load average per CPU above 0 and at most {} (like 1.5), got {}",
                            key, kMaxLoadPerCpu,
                            value.is_number() && load ? fmt::format("{}", *load) : toml_type_name(value)));
    return;
  }
  out = *load;
  at = value.source();
}

// With both levels set, warn must be below critical.
void check_order(FieldReader& reader, const LevelsDraft& draft, std::string_view warn_key,
                 std::string_view critical_key) {
  const Threshold& levels = draft.levels;
  if (!levels.warn || !levels.critical || *levels.warn < *levels.critical) return;
  reader.fail(*draft.warn_at, fmt::format("'{}' must be below '{}' (line {}): a warning comes before the "
                                          "critical level",
                                          warn_key, critical_key, draft.critical_at->begin.line));
}

#define PM_LEVEL_KEY(Target, key, reader_fn, member, level)                                \
  {                                                                                        \
    key, [](FieldReader& reader, const toml::node& value, Target& target) {                \
      reader_fn(reader, value, key, target.member.levels.level, target.member.level##_at); \
    }                                                                                      \
  }

constexpr std::array<Key<DiskDraft>, 3> kDiskKeys{{
    {"path",
     [](FieldReader& reader, const toml::node& value, DiskDraft& disk) {
       std::string path;
       if (!reader.read_string(value, "path", path)) return;
       if (!path.starts_with('/')) {
         reader.fail(value.source(), fmt::format("'path' must be an absolute path, got {}", quoted(path)));
         return;
       }
       disk.path = std::move(path);
     }},
    PM_LEVEL_KEY(DiskDraft, "warn", read_percent, used, warn),
    PM_LEVEL_KEY(DiskDraft, "critical", read_percent, used, critical),
}};

std::vector<DiskThreshold> read_disks(FieldReader& reader, const toml::node& value) {
  std::vector<DiskThreshold> disks;
  const auto* array = value.as_array();
  if (array == nullptr) {
    reader.fail(value.source(),
                fmt::format("'disk' must be an array of tables, got {}; write [[resources.disk]] "
                            "(double brackets) above each filesystem",
                            toml_type_name(value)));
    return disks;
  }
  std::map<std::string, int> first_line;  // path -> the line of the group that has it
  for (const auto& element : *array) {
    const auto* table = element.as_table();
    if (table == nullptr) {
      reader.fail(element.source(),
                  fmt::format("each 'disk' must be a table, got {}", toml_type_name(element)));
      continue;
    }
    DiskDraft disk;
    read_keys(reader, *table, "[[resources.disk]]", kDiskKeys, disk);
    if (!table->contains("path")) {
      reader.fail(table->source(), "[[resources.disk]] needs a 'path' (path = \"/var\")");
    } else if (!disk.used.levels.configured() && !reader.failed()) {
      reader.fail(table->source(), "[[resources.disk]] needs warn (\"80%\"), critical (\"90%\") or both");
    }
    check_order(reader, disk.used, "warn", "critical");
    if (disk.path.empty()) continue;
    auto [first, added] = first_line.emplace(disk.path, static_cast<int>(table->source().begin.line));
    if (!added) {
      reader.fail(table->source(), fmt::format("{} is already in a [[resources.disk]] (line {})",
                                               quoted(disk.path), first->second));
    }
    disks.push_back(DiskThreshold{std::move(disk.path), disk.used.levels});
  }
  return disks;
}

constexpr std::array<Key<ResourcesDraft>, 7> kResourceKeys{{
    PM_LEVEL_KEY(ResourcesDraft, "memory_warn", read_percent, memory, warn),
    PM_LEVEL_KEY(ResourcesDraft, "memory_critical", read_percent, memory, critical),
    PM_LEVEL_KEY(ResourcesDraft, "cpu_warn", read_percent, cpu, warn),
    PM_LEVEL_KEY(ResourcesDraft, "cpu_critical", read_percent, cpu, critical),
    PM_LEVEL_KEY(ResourcesDraft, "load_warn", read_load, load, warn),
    PM_LEVEL_KEY(ResourcesDraft, "load_critical", read_load, load, critical),
    {"disk", [](FieldReader& reader, const toml::node& value,
                ResourcesDraft& draft) { draft.disks = read_disks(reader, value); }},
}};
#undef PM_LEVEL_KEY

}  // namespace

std::vector<std::string_view> resource_key_names() { return names_of(kResourceKeys); }
std::vector<std::string_view> disk_key_names() { return names_of(kDiskKeys); }

ResourceSettings read_resources(FieldReader& reader, const toml::node& value) {
  ResourcesDraft draft;
  const auto* table = reader.read_table(value, "resources", "a table ([resources])");
  if (table == nullptr) return {};
  read_keys(reader, *table, "[resources]", kResourceKeys, draft);
  check_order(reader, draft.memory, "memory_warn", "memory_critical");
  check_order(reader, draft.cpu, "cpu_warn", "cpu_critical");
  check_order(reader, draft.load, "load_warn", "load_critical");
  return ResourceSettings{draft.memory.levels, draft.load.levels, draft.cpu.levels, std::move(draft.disks)};
}

}  // namespace pm
