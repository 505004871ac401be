#include "backend/pm2_jlist.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pm {
namespace {

using json = nlohmann::json;

// Keys kept while parsing. Depth 2 is a process entry, depth 3 the inside of
// its pm2_env and monit objects (nlohmann's callback depths).
constexpr std::array<std::string_view, 5> kProcessKeys{"name", "pm_id", "pid", "pm2_env", "monit"};
constexpr std::array<std::string_view, 6> kInnerKeys{"status", "restart_time", "exec_mode",
                                                     "memory", "cpu",          "unstable_restarts"};

bool keep_key(int depth, const json& key) {
  const auto& text = key.get_ref<const std::string&>();
  if (depth == 2) return std::ranges::find(kProcessKeys, text) != kProcessKeys.end();
  if (depth == 3) return std::ranges::find(kInnerKeys, text) != kInnerKeys.end();
  return false;
}

// Where the JSON list starts: the first line that opens with "[{" or is "[]".
// A plain '[' is not enough: PM2's own banners start with "[PM2]".
std::size_t find_json_start(std::string_view output) {
  std::size_t line = 0;
  while (line < output.size()) {
    std::size_t first = output.find_first_not_of(" \t\r", line);
    if (first == std::string_view::npos) break;
    std::string_view rest = output.substr(first);
    if (rest.starts_with("[{") || rest.starts_with("[]")) return first;
    std::size_t newline = output.find('\n', line);
    if (newline == std::string_view::npos) break;
    line = newline + 1;
  }
  return std::string_view::npos;
}

// The number at `key` as a long; `fallback` when absent, not a number, or a
// number a long cannot hold (converting such a float is undefined behaviour).
long number_or(const json& object, std::string_view key, long fallback) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return fallback;
  if (it->is_number_unsigned()) {
    auto value = it->get<std::uint64_t>();
    return value <= std::numeric_limits<long>::max() ? static_cast<long>(value) : fallback;
  }
  if (it->is_number_float()) {
    double value = it->get<double>();
    return value >= -0x1p63 && value < 0x1p63 ? static_cast<long>(value) : fallback;  // NaN: fallback
  }
  return it->get<long>();
}

std::string first_line(std::string_view text) {
  auto line = text.substr(0, std::min(text.find('\n'), std::size_t{120}));
  return std::string(line);
}

std::expected<Pm2Process, std::string> read_entry(const json& entry, std::size_t index) {
  auto fail = [&](std::string_view what) {
    return std::unexpected(fmt::format("pm2 jlist entry {}: {}", index, what));
  };
  if (!entry.is_object()) return fail("is not an object");
  Pm2Process process;
  auto name = entry.find("name");
  if (name == entry.end() || !name->is_string()) return fail("has no name");
  process.name = name->get<std::string>();
  auto pm_id = entry.find("pm_id");
  if (pm_id == entry.end() || !pm_id->is_number_integer()) return fail("has no pm_id");
  process.pm_id = pm_id->get<long>();
  process.pid = number_or(entry, "pid", 0);
  auto env = entry.find("pm2_env");
  if (env == entry.end() || !env->is_object()) return fail("has no pm2_env");
  auto status = env->find("status");
  if (status == env->end() || !status->is_string()) return fail("has no pm2_env.status");
  process.status = status->get<std::string>();
  process.restart_time = number_or(*env, "restart_time", 0);
  if (auto mode = env->find("exec_mode"); mode != env->end() && mode->is_string()) {
    process.exec_mode = mode->get<std::string>();
  }
  if (auto monit = entry.find("monit"); monit != entry.end() && monit->is_object()) {
    // Absent, negative or past a long (a garbled list): not reported.
    if (long memory = number_or(*monit, "memory", -1); memory >= 0) process.memory_bytes = memory;
    if (auto cpu = monit->find("cpu"); cpu != monit->end() && cpu->is_number()) {
      process.cpu_percent = std::max(0.0, cpu->get<double>());
    }
  }
  return process;
}

// Lower is worse; the service takes its worst instance's state.
int severity(UnitState state) {
  switch (state) {
    case UnitState::Missing: return 0;
    case UnitState::Failed: return 1;
    case UnitState::Stopped: return 2;
    case UnitState::Stopping: return 3;
    case UnitState::Starting: return 4;
    case UnitState::Running: return 5;
  }
  return 0;
}

}  // namespace

UnitState pm2_status_to_state(std::string_view status) {
  if (status == "online") return UnitState::Running;
  if (status == "launching") return UnitState::Starting;
  if (status == "stopping") return UnitState::Stopping;
  if (status == "stopped") return UnitState::Stopped;
  // "errored", "one-launch-status" (an app started without autorestart that
  // exited) and any status a future PM2 invents: not running, restartable.
  return UnitState::Failed;
}

namespace {

// The processes of a list, read entry by entry while it is parsed: each entry
// becomes a Pm2Process as soon as its object closes, and its tree is then
// dropped, so the list is never a whole tree (at 1000 apps that tree was the
// run's heap peak, 0.9 MB). Only the keys read_entry reads are kept
// (keep_key): the environment never becomes a tree.
class ListReader {
 public:
  // `source` names the list's origin in messages ("pm2 jlist printed").
  explicit ListReader(std::string_view source) : source_(source) {}

  template <typename Input>
  std::expected<std::vector<Pm2Process>, std::string> read(Input&& input) {
    const json root = json::parse(
        std::forward<Input>(input),
        [this](int depth, json::parse_event_t event, json& parsed) { return on_event(depth, event, parsed); },
        /*allow_exceptions=*/false);
    if (root.is_discarded()) return std::unexpected(fmt::format("{} malformed or truncated JSON", source_));
    if (!root.is_array()) return std::unexpected(fmt::format("{} no JSON list", source_));
    if (error_) return std::unexpected(std::move(*error_));
    return std::move(processes_);
  }

 private:
  // nlohmann's callback: false drops `parsed` from the tree being built.
  // Depth 1 is an entry of the list (closed: object_end, array_end, or a
  // scalar's value event), depth 2 a key of an entry.
  bool on_event(int depth, json::parse_event_t event, json& parsed) {
    using Event = json::parse_event_t;
    if (event == Event::key) return keep_key(depth, parsed);
    if (depth == 0 && event == Event::array_start) in_list_ = true;
    const bool entry_closed =
        event == Event::object_end || event == Event::array_end || event == Event::value;
    if (!in_list_ || depth != 1 || !entry_closed) return true;
    if (!error_) {
      auto process = read_entry(parsed, index_);
      if (process) {
        processes_.push_back(std::move(*process));
      } else {
        error_ = std::move(process.error());
      }
    }
    ++index_;
    return false;
  }

  std::string_view source_;
  bool in_list_ = false;  // the document is a list (not an object that holds entry-like values)
  std::size_t index_ = 0;
  std::vector<Pm2Process> processes_;
  std::optional<std::string> error_;  // the first entry that is not a process
};

}  // namespace

std::expected<std::vector<Pm2Process>, std::string> parse_pm2_jlist(std::string_view output) {
  std::size_t start = find_json_start(output);
  if (start == std::string_view::npos) {
    return std::unexpected(
        fmt::format("pm2 jlist printed no JSON list (first line: '{}')", first_line(output)));
  }
  return ListReader("pm2 jlist printed").read(output.substr(start));
}

std::expected<std::vector<Pm2Process>, std::string> parse_pm2_list(std::istream& in) {
  return ListReader("the PM2 daemon sent").read(in);
}

StatusByTarget summarize_pm2_processes(const std::vector<Pm2Process>& processes,
                                       const std::vector<std::string>& targets) {
  // Instances by name, in list order: one pass over the list, not one per
  // target (1000 x 1000 name comparisons were 5 % of a 1000-app run).
  std::unordered_map<std::string_view, std::vector<const Pm2Process*>> by_name;
  for (const auto& process : processes) by_name[process.name].push_back(&process);
  static const std::vector<const Pm2Process*> kNone;
  StatusByTarget result;
  for (const auto& target : targets) {
    auto named = by_name.find(target);
    const auto& instances_of_target = named == by_name.end() ? kNone : named->second;
    UnitStatus status;
    int instances = 0;
    int online = 0;
    int measured = 0;
    ResourceUse usage{0, 0.0, std::nullopt};
    UnitState worst = UnitState::Running;
    std::string worst_word;
    for (const Pm2Process* instance : instances_of_target) {
      const Pm2Process& process = *instance;
      ++instances;
      UnitState state = pm2_status_to_state(process.status);
      if (state == UnitState::Running) ++online;
      if (instances == 1 || severity(state) < severity(worst)) {
        worst = state;
        worst_word = process.status;
      }
      if (process.pid > 0 && process.pid <= std::numeric_limits<int>::max() && state == UnitState::Running)
        status.pids.push_back(static_cast<int>(process.pid));
      if (state == UnitState::Running && process.memory_bytes && process.cpu_percent) {
        ++measured;
        *usage.memory_bytes += static_cast<std::uint64_t>(*process.memory_bytes);
        *usage.cpu_ratio += *process.cpu_percent / 100.0;
      }
      // Saturates: instances' counts from a garbled list must not overflow.
      if (__builtin_add_overflow(status.restart_count, process.restart_time, &status.restart_count))
        status.restart_count =
            process.restart_time > 0 ? std::numeric_limits<long>::max() : std::numeric_limits<long>::min();
      status.handles.push_back(std::to_string(process.pm_id));
    }
    if (instances == 0) {
      status.state = UnitState::Missing;
      status.engine_state = "not in pm2 list";
    } else {
      status.state = worst;
      status.engine_state = instances == 1 ? worst_word
                            : online == instances
                                ? fmt::format("online ({} instances)", instances)
                                : fmt::format("{} ({}/{} online)", worst_word, online, instances);
      if (worst == UnitState::Running && measured == instances) status.usage = usage;
    }
    result[target].push_back(std::move(status));
  }
  return result;
}

}  // namespace pm
