#include "backend/docker_containers.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pm {
namespace {

using json = nlohmann::json;

// Keys kept while parsing (nlohmann's callback depths: the keys of a
// top-level object are at depth 1, those of an entry of a top-level array at
// depth 2). Everything else, Config.Env included, is dropped unparsed.
// "message" is kept so that an engine error body can be reported as such.
constexpr std::array<std::string_view, 5> kListEntryKeys{"Id", "Names", "State", "Status", "Labels"};
constexpr std::array<std::string_view, 5> kInspectKeys{"Id", "Name", "State", "RestartCount", "message"};
constexpr std::size_t kMaxHealthOutput = 200;

template <std::size_t N>
json parse_keeping(std::string_view body, int depth, const std::array<std::string_view, N>& keys) {
  json::parser_callback_t filter = [depth, &keys](int at, json::parse_event_t event, json& parsed) {
    if (event != json::parse_event_t::key || at != depth) return true;
    return std::ranges::find(keys, parsed.get_ref<const std::string&>()) != keys.end();
  };
  return json::parse(body, filter, /*allow_exceptions=*/false);
}

// The "message" of an engine error body ({"message":"No such container: x"}), or "".
std::string error_message(const json& body) {
  auto message = body.find("message");
  return message != body.end() && message->is_string() ? message->get<std::string>() : "";
}

const json* member(const json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string string_or(const json& object, std::string_view key, std::string fallback = "") {
  const json* value = member(object, key);
  return value && value->is_string() ? value->get<std::string>() : fallback;
}

template <typename Int>
Int integer_or(const json& object, std::string_view key, Int fallback) {
  const json* value = member(object, key);
  return value && value->is_number_integer() ? value->get<Int>() : fallback;
}

std::string strip_slash(std::string name) {
  if (name.starts_with('/')) name.erase(0, 1);
  return name;
}

// Trimmed, then cut to at most kMaxHealthOutput bytes without splitting a
// UTF-8 sequence.
std::string health_output(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return "";
  text = text.substr(first, text.find_last_not_of(kSpace) - first + 1);
  if (text.size() > kMaxHealthOutput) {
    std::size_t cut = kMaxHealthOutput;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
    text = text.substr(0, text.find_last_not_of(kSpace) + 1);
  }
  return std::string(text);
}

std::expected<ContainerSummary, std::string> read_entry(const json& entry, std::size_t index) {
  auto fail = [&](std::string_view what) {
    return std::unexpected(fmt::format("Docker container list entry {}: {}", index, what));
  };
  if (!entry.is_object()) return fail("is not an object");
  ContainerSummary container;
  const json* id = member(entry, "Id");
  if (!id || !id->is_string()) return fail("has no Id");
  container.id = id->get<std::string>();
  const json* names = member(entry, "Names");
  if (!names || !names->is_array() || names->empty() || !names->front().is_string()) {
    return fail("has no Names");
  }
  container.name = strip_slash(names->front().get<std::string>());
  const json* state = member(entry, "State");
  if (!state || !state->is_string()) return fail("has no State");
  container.state = state->get<std::string>();
  container.status_text = string_or(entry, "Status");
  if (const json* labels = member(entry, "Labels"); labels && !labels->is_null()) {
    if (!labels->is_object()) return fail("has Labels that are not an object");
    for (const auto& [key, value] : labels->items()) {
      if (value.is_string()) container.labels.emplace(key, value.get<std::string>());
    }
  }
  return container;
}

}  // namespace

std::expected<std::vector<ContainerSummary>, std::string> parse_container_list(std::string_view body) {
  json list = parse_keeping(body, 2, kListEntryKeys);
  if (list.is_discarded()) return std::unexpected("Docker engine answered a container list that is not JSON");
  if (!list.is_array()) {
    std::string message = list.is_object() ? error_message(list) : "";
    if (!message.empty()) {
      return std::unexpected(
          fmt::format("Docker engine answered an error instead of a container list: {}", message));
    }
    return std::unexpected("Docker engine answered a container list that is not a JSON array");
  }
  std::vector<ContainerSummary> containers;
  containers.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto container = read_entry(list[i], i);
    if (!container) return std::unexpected(container.error());
    containers.push_back(std::move(*container));
  }
  return containers;
}

std::string container_label(const ContainerSummary& container, std::string_view key) {
  auto it = container.labels.find(std::string(key));
  return it == container.labels.end() ? std::string() : it->second;
}

std::string health_from_status_text(std::string_view status_text) {
  // Docker writes "Up <duration> (<health>)" for a running container with a
  // healthcheck; "(Paused)" and the other states carry no health.
  if (!status_text.starts_with("Up ")) return "";
  if (status_text.ends_with(" (healthy)")) return "healthy";
  if (status_text.ends_with(" (unhealthy)")) return "unhealthy";
  if (status_text.ends_with(" (health: starting)")) return "starting";
  return "";
}

std::expected<ContainerDetail, std::string> parse_container_inspect(std::string_view body) {
  json root = parse_keeping(body, 1, kInspectKeys);
  if (root.is_discarded())
    return std::unexpected("Docker engine answered container details that are not JSON");
  if (!root.is_object())
    return std::unexpected("Docker engine answered container details that are not a JSON object");
  if (std::string message = error_message(root); !message.empty() && !root.contains("Id")) {
    return std::unexpected(
        fmt::format("Docker engine answered an error instead of container details: {}", message));
  }
  ContainerDetail detail;
  const json* id = member(root, "Id");
  if (!id || !id->is_string()) return std::unexpected("Docker container details have no Id");
  detail.id = id->get<std::string>();
  detail.name = strip_slash(string_or(root, "Name"));
  const json* state = member(root, "State");
  const json* status = state && state->is_object() ? member(*state, "Status") : nullptr;
  if (!status || !status->is_string()) {
    return std::unexpected(fmt::format("Docker container details of {}: have no State.Status",
                                       detail.name.empty() ? detail.id : detail.name));
  }
  detail.status = status->get<std::string>();
  detail.pid = integer_or(*state, "Pid", 0);
  detail.exit_code = integer_or(*state, "ExitCode", 0);
  if (const json* oom = member(*state, "OOMKilled"); oom && oom->is_boolean())
    detail.oom_killed = oom->get<bool>();
  detail.error = string_or(*state, "Error");
  detail.started_at = string_or(*state, "StartedAt");
  detail.restart_count = integer_or(root, "RestartCount", 0L);
  if (const json* health = member(*state, "Health"); health && health->is_object()) {
    detail.health = string_or(*health, "Status");
    detail.failing_streak = integer_or(*health, "FailingStreak", 0);
    const json* log = member(*health, "Log");
    if (log && log->is_array() && !log->empty() && log->back().is_object()) {
      detail.last_health_output = health_output(string_or(log->back(), "Output"));
      detail.last_health_exit_code = integer_or(log->back(), "ExitCode", 0);
    }
  }
  return detail;
}

UnitState docker_state_to_unit_state(std::string_view state) {
  if (state == "running") return UnitState::Running;
  if (state == "restarting") return UnitState::Starting;
  if (state == "removing") return UnitState::Stopping;
  if (state == "paused" || state == "exited" || state == "created") return UnitState::Stopped;
  return UnitState::Failed;  // "dead" and anything a future engine invents
}

}  // namespace pm
