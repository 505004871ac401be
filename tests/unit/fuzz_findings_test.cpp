// Inputs on which the fuzz targets (fuzz/) found bugs, kept as tests of the
// fixes: tests/data/fuzz-findings (README.md there says which target found
// each, and which were written by hand and confirmed on a target).
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>

#include "backend/pm2_jlist.hpp"
#include "backend/systemd_units.hpp"
#include "config/load_config.hpp"
#include "policy/history_json.hpp"
#include "policy/wall_time.hpp"
#include "resources/proc_files.hpp"
#include "rotate/rotation_state.hpp"
#include "state/state_document.hpp"
#include "systemd_show_lines.hpp"
#include "test_data.hpp"

using namespace pm;

TEST_CASE("a state file time past what WallTime holds is not a time, not an overflow", "[fuzz]") {
  auto document = decode_state(test::read_test_data("fuzz-findings/state-time-overflow.json"));
  REQUIRE(document);
  auto history = history_from_json(document->services.at("backend-api"));
  REQUIRE_FALSE(history);
  CHECK(history.error() == "'next_restart_at' is not a time in milliseconds");

  CHECK_FALSE(history_from_json({{"restart_times", {std::numeric_limits<std::int64_t>::max()}}}));
  CHECK_FALSE(rotation_state_from_json({{"/var/log/app.log", std::numeric_limits<std::int64_t>::min()}}));
  CHECK(wall_time_from_unix_ms(1764150000000) == WallTime(std::chrono::milliseconds(1764150000000)));
  CHECK(wall_time_from_unix_ms(9223372036854));  // the last millisecond it holds (2262-04-11)
  CHECK_FALSE(wall_time_from_unix_ms(9223372036855));
}

TEST_CASE("a masked unit that is not active has no pids, even with a MainPID", "[fuzz][systemd]") {
  auto properties = test::systemd_properties_from_show(
      test::read_test_data("fuzz-findings/systemd-masked-with-pid.show.txt"));
  REQUIRE(properties.load_state == "masked");
  REQUIRE(properties.main_pid == 23576);
  auto status = systemd_unit_status(properties, SystemdScope::System);
  CHECK(status.state == UnitState::Stopped);
  CHECK(status.pids.empty());
}

TEST_CASE("a MainPID above INT_MAX is no pid, never a negative one", "[fuzz][systemd]") {
  auto properties = test::systemd_properties_from_show(
      test::read_test_data("fuzz-findings/systemd-main-pid-over-int.show.txt"));
  REQUIRE(properties.main_pid > std::numeric_limits<int>::max());
  auto status = systemd_unit_status(properties, SystemdScope::System);
  CHECK(status.state == UnitState::Running);
  CHECK(status.pids.empty());
}

TEST_CASE("a pm2 number a long cannot hold takes the field's default", "[fuzz][pm2]") {
  auto processes = parse_pm2_jlist(test::read_test_data("fuzz-findings/pm2-pid-float-huge.json"));
  REQUIRE(processes);
  REQUIRE(processes->size() == 1);
  CHECK(processes->front().pid == 0);
}

TEST_CASE("pm2 restart counts of one name add up without overflowing", "[fuzz][pm2]") {
  auto processes = parse_pm2_jlist(test::read_test_data("fuzz-findings/pm2-restarts-overflow.json"));
  REQUIRE(processes);
  auto summary = summarize_pm2_processes(*processes, {"a"});
  CHECK(summary.at("a").front().restart_count == std::numeric_limits<long>::max());
}

TEST_CASE("/proc/stat counters whose sum passes 2^64 are refused, not wrapped", "[fuzz]") {
  auto times = parse_proc_stat(test::read_test_data("fuzz-findings/proc-stat-counters-overflow.txt"));
  REQUIRE_FALSE(times);
  CHECK(times.error() == "/proc/stat: the cpu counters add up past 2^64, which no kernel counts to");
  // Large but summable counters still read.
  auto large = parse_proc_stat("cpu  4611686018427387904 0 4611686018427387904 0 0 0 0 0\n");
  REQUIRE(large);
  CHECK(large->busy == 9223372036854775808ULL);
  CHECK(large->busy <= large->total);
}

TEST_CASE("a table header that does not start with a key is a syntax error at its place, not an abort",
          "[fuzz][config]") {
  // toml++ 3.3.0 asserted here (config/toml.hpp): this test aborts in the
  // ASan build and is undefined in clang's release builds without the fix.
  auto config =
      parse_config(test::read_test_data("fuzz-findings/config-table-header-nul.toml"), "found.toml");
  REQUIRE_FALSE(config);
  CHECK(config.error() ==
        "found.toml:3:4: TOML syntax error: Error while parsing key: expected bare key starting "
        "character or string delimiter, saw '\\u0000'");
  for (std::string_view document : {"[#a]\n", "[=a]\n", "[.a]\n", "[ ,]\n", "[[=a]]\n", "[[[a]]]\n"}) {
    INFO(document);
    auto other = parse_config(document, "x.toml");
    REQUIRE_FALSE(other);
    CHECK(other.error().starts_with("x.toml:1:"));
    CHECK(other.error().find("TOML syntax error") != std::string::npos);
  }
}

TEST_CASE("a code point beside a non-ASCII whitespace one is read, not undefined", "[fuzz][config]") {
  // toml++ 3.3.0's generated whitespace table reached __builtin_unreachable()
  // for these (config/toml.hpp): UBSan stops this test in the ASan build
  // without the fix, and a release build's answer was undefined.
  auto stray = parse_config(test::read_test_data("fuzz-findings/config-non-ascii-whitespace-block.toml"),
                            "found.toml");
  REQUIRE_FALSE(stray);
  CHECK(stray.error().starts_with("found.toml:1:1: TOML syntax error: "));

  // A valid config: the line after a line-ending backslash in a """string"""
  // opens with U+00A7, then U+3001 (the block of U+3000), then U+FEFE.
  for (std::string_view first : {"\u00A7", "\u3001", "\uFEFE", "\u0499"}) {
    INFO(first);
    const std::string text(first);
    auto config = parse_config(
        "[[service]]\nname = \"web\"\nbackend = \"pm2\"\n  [service.health]\n"
        "  url = \"http://127.0.0.1:8080/health\"\n  body_contains = \"\"\"\\\n" +
            text + "ok\"\"\"\n",
        "x.toml");
    REQUIRE(config);
    CHECK(config->services.at(0).health->body_contains == text + "ok");
  }

  // Whitespace beyond tab and space stays an error at its place.
  for (std::string_view space : {"\u00A0", "\u3000", "\u2000", "\uFEFF"}) {
    INFO(space);
    auto other = parse_config("a = 1" + std::string(space) + "\n", "x.toml");
    REQUIRE_FALSE(other);
    CHECK(other.error().starts_with("x.toml:1:"));
  }
}

namespace {

struct CollectingSink : ServiceSink {
  std::map<std::string, nlohmann::json> services;
  void take(const std::string& name, nlohmann::json&& payload) override {
    services.insert_or_assign(name, std::move(payload));
  }
  void drop_all() override { services.clear(); }
};

}  // namespace

TEST_CASE("a state file with \"services\" twice is read service by service as a whole parse reads it",
          "[fuzz][state]") {
  const std::string text = test::read_test_data("fuzz-findings/state-services-twice.json");
  auto whole = decode_state(text);
  REQUIRE(whole);
  CollectingSink sink;
  auto streamed = decode_state(text, sink);
  REQUIRE(streamed);
  CHECK(sink.services == whole->services);
  CHECK(sink.services.size() == 1);
  CHECK(sink.services.count("barotationcpaused_untilkend-api") == 1);
}
