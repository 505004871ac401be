#include <catch2/catch.hpp>

#include "rotate/rotation_state.hpp"
#include "rotate/rotation_trigger.hpp"

using namespace std::chrono_literals;
using Catch::Contains;
using pm::decide_rotation;
using pm::LogGroupConfig;
using pm::WallTime;

namespace {

LogGroupConfig group(std::optional<std::uint64_t> max_size, std::optional<pm::Duration> max_age) {
  LogGroupConfig config;
  config.max_size = max_size;
  config.max_age = max_age;
  return config;
}

const WallTime kNow = WallTime(1'800'000'000s);

}  // namespace

TEST_CASE("max_size triggers at the size and not a byte before", "[rotate][trigger]") {
  auto config = group(1024 * 1024, std::nullopt);
  CHECK_FALSE(decide_rotation(config, 1024 * 1024 - 1, std::nullopt, kNow, false).rotate);
  auto due = decide_rotation(config, 1024 * 1024, std::nullopt, kNow, false);
  CHECK(due.rotate);
  CHECK(due.reason == "size 1M reached max_size 1M");
  CHECK(decide_rotation(config, 5 * 1024 * 1024, std::nullopt, kNow, false).rotate);
  CHECK(decide_rotation(config, 10, std::nullopt, kNow, false).reason == "not due: size 10B of max_size 1M");
}

TEST_CASE("max_age counts from the recorded start of the file", "[rotate][trigger]") {
  auto config = group(std::nullopt, pm::Duration(24h));
  CHECK_FALSE(decide_rotation(config, 10, kNow - 23h, kNow, false).rotate);
  auto due = decide_rotation(config, 10, kNow - 24h, kNow, false);
  CHECK(due.rotate);
  CHECK_THAT(due.reason, Contains("1d since its last rotation (max_age 1d)"));
  // Unknown start: not due, and the report says why.
  auto unknown = decide_rotation(config, 10, std::nullopt, kNow, false);
  CHECK_FALSE(unknown.rotate);
  CHECK_THAT(unknown.reason, Contains("age unknown"));
  // A clock that stepped back does not make the file due.
  CHECK_FALSE(decide_rotation(config, 10, kNow + 1h, kNow, false).rotate);
}

TEST_CASE("either trigger is enough when both are set", "[rotate][trigger]") {
  auto config = group(1000, pm::Duration(1h));
  CHECK(decide_rotation(config, 1000, kNow, kNow, false).rotate);
  CHECK(decide_rotation(config, 1, kNow - 2h, kNow, false).rotate);
  auto neither = decide_rotation(config, 1, kNow - 30min, kNow, false);
  CHECK_FALSE(neither.rotate);
  CHECK(neither.reason == "not due: size 1B of max_size 1000B, 30m of max_age 1h");
}

TEST_CASE("not_if_empty wins over every trigger, force over the others", "[rotate][trigger]") {
  auto config = group(1, pm::Duration(1h));
  config.not_if_empty = true;
  CHECK_FALSE(decide_rotation(config, 0, kNow - 2h, kNow, true).rotate);
  CHECK(decide_rotation(config, 0, kNow - 2h, kNow, true).reason == "empty (not_if_empty)");
  config.not_if_empty = false;
  config.max_size = 1000;
  CHECK(decide_rotation(config, 0, kNow, kNow, true).rotate);
  CHECK(decide_rotation(config, 0, kNow - 2h, kNow, false).rotate);  // empty, but due by age
}

TEST_CASE("the rotation state round-trips through JSON", "[rotate][state]") {
  pm::RotationState state;
  state.live_since["/var/log/a.log"] = WallTime(1'764'150'000'123ms);
  state.live_since["/var/log/b.log"] = WallTime(0ms);
  auto json = pm::rotation_state_to_json(state);
  CHECK(json["/var/log/a.log"] == 1'764'150'000'123);
  auto back = pm::rotation_state_from_json(json);
  REQUIRE(back);
  CHECK(back->live_since == state.live_since);
  CHECK_THAT(pm::rotation_state_from_json(nlohmann::json::array()).error(), Contains("not an object"));
  CHECK_THAT(pm::rotation_state_from_json(nlohmann::json{{"/x", "soon"}}).error(),
             Contains("the rotation state of /x is not a time"));
}
