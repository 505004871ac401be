#include "policy/history_json.hpp"

#include <fmt/format.h>

#include "policy/wall_time.hpp"

namespace pm {
namespace {

using json = nlohmann::json;

std::int64_t to_ms(WallTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

json optional_time(const std::optional<WallTime>& time) { return time ? json(to_ms(*time)) : json(nullptr); }

// Reads `key` of `object` as unix milliseconds; null or absent -> nullopt.
std::expected<std::optional<WallTime>, std::string> read_time(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<WallTime>{};
  auto time = it->is_number_integer() ? wall_time_from_unix_ms(it->get<std::int64_t>()) : std::nullopt;
  if (!time) return std::unexpected(fmt::format("'{}' is not a time in milliseconds", key));
  return time;
}

// An object built key by key, in the order its map keeps them, each placed
// at the end without a search. Every save makes one per service: built
// from an initializer list (a list of two-element arrays, then converted)
// it cost 31 k instructions a history, 60 % of the save (callgrind).
class ObjectBuilder {
 public:
  ObjectBuilder& put(const char* key, json value) {
    object_.get_ref<json::object_t&>().emplace_hint(object_.get_ref<json::object_t&>().end(), key,
                                                    std::move(value));
    return *this;
  }
  json take() { return std::move(object_); }

 private:
  json object_ = json::object();
};

json limits_to_json(const LimitMemory& limits) {
  ObjectBuilder object;
  if (limits.cpu_sample) {
    object.put("cpu_over", limits.cpu_over)
        .put("cpu_sample_at", to_ms(limits.cpu_sample->at))
        .put("cpu_sample_ns", limits.cpu_sample->time_ns);
  } else {
    object.put("cpu_over", limits.cpu_over);
  }
  return object.put("memory_over", limits.memory_over).take();
}

std::expected<LimitMemory, std::string> limits_from_json(const json& object) {
  if (!object.is_object()) return std::unexpected("'limits' is not an object");
  LimitMemory limits;
  for (auto [key, count] :
       {std::pair{"memory_over", &limits.memory_over}, std::pair{"cpu_over", &limits.cpu_over}}) {
    if (auto it = object.find(key); it != object.end()) {
      if (!it->is_number_integer() || it->get<std::int64_t>() < 0 || it->get<std::int64_t>() > 1'000'000'000)
        return std::unexpected(fmt::format("'limits.{}' is not a count", key));
      *count = it->get<int>();
    }
  }
  auto sample = object.find("cpu_sample_ns");
  auto at = read_time(object, "cpu_sample_at");
  if (!at) return std::unexpected("'limits." + at.error().substr(1));
  if (sample != object.end() && !sample->is_null()) {
    if (!sample->is_number_unsigned() || !*at)
      return std::unexpected("'limits.cpu_sample_ns' is not a CPU time with its time");
    limits.cpu_sample = CpuSample{sample->get<std::uint64_t>(), **at};
  }
  return limits;
}

}  // namespace

json history_to_json(const ServiceHistory& history) {
  json restarts = json::array();
  restarts.get_ref<json::array_t&>().reserve(history.restart_times.size());
  for (auto time : history.restart_times) restarts.push_back(to_ms(time));
  return ObjectBuilder()
      .put("backoff_ms", history.backoff.count())
      .put("consecutive_failures", history.consecutive_failures)
      .put("gave_up", history.gave_up)
      .put("gave_up_at", optional_time(history.gave_up_at))
      .put("healthy_since", optional_time(history.healthy_since))
      .put("last_restart", optional_time(history.last_restart))
      .put("last_seen", optional_time(history.last_seen))
      .put("last_state", to_string(history.last_state))
      .put("limits", limits_to_json(history.limits))
      .put("next_restart_at", optional_time(history.next_restart_at))
      .put("paused", history.paused)
      .put("paused_until", optional_time(history.paused_until))
      .put("restart_times", std::move(restarts))
      .put("restarts_total", history.restarts_total)
      .take();
}

std::expected<ServiceHistory, std::string> history_from_json(const json& object) {
  if (!object.is_object()) return std::unexpected("not an object");
  ServiceHistory history;
  if (auto it = object.find("consecutive_failures"); it != object.end()) {
    if (!it->is_number_integer() || it->get<long>() < 0)
      return std::unexpected("'consecutive_failures' is not a count");
    history.consecutive_failures = it->get<int>();
  }
  if (auto it = object.find("restart_times"); it != object.end()) {
    if (!it->is_array()) return std::unexpected("'restart_times' is not a list");
    for (const auto& time : *it) {
      auto restart =
          time.is_number_integer() ? wall_time_from_unix_ms(time.get<std::int64_t>()) : std::nullopt;
      if (!restart) return std::unexpected("'restart_times' holds a non-time");
      history.restart_times.push_back(*restart);
    }
  }
  if (auto it = object.find("restarts_total"); it != object.end()) {
    if (!it->is_number_unsigned()) return std::unexpected("'restarts_total' is not a count");
    history.restarts_total = it->get<std::uint64_t>();
  }
  if (auto it = object.find("backoff_ms"); it != object.end()) {
    if (!it->is_number_integer() || it->get<long>() < 0)
      return std::unexpected("'backoff_ms' is not a duration");
    history.backoff = Duration{it->get<std::int64_t>()};
  }
  for (auto [key, flag] : {std::pair{"gave_up", &history.gave_up}, std::pair{"paused", &history.paused}}) {
    if (auto it = object.find(key); it != object.end()) {
      if (!it->is_boolean()) return std::unexpected(fmt::format("'{}' is not true or false", key));
      *flag = it->get<bool>();
    }
  }
  if (auto it = object.find("last_state"); it != object.end()) {
    auto state = it->is_string() ? service_state_from_string(it->get<std::string>()) : std::nullopt;
    if (!state) return std::unexpected("'last_state' is not a known state");
    history.last_state = *state;
  }
  const std::pair<const char*, std::optional<WallTime>*> times[] = {
      {"last_restart", &history.last_restart},   {"next_restart_at", &history.next_restart_at},
      {"healthy_since", &history.healthy_since}, {"gave_up_at", &history.gave_up_at},
      {"paused_until", &history.paused_until},   {"last_seen", &history.last_seen}};
  for (auto [key, target] : times) {
    auto time = read_time(object, key);
    if (!time) return std::unexpected(time.error());
    *target = *time;
  }
  if (auto it = object.find("limits"); it != object.end()) {
    auto limits = limits_from_json(*it);
    if (!limits) return std::unexpected(limits.error());
    history.limits = *limits;
  }
  return history;
}

}  // namespace pm
