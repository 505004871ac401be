#include <catch2/catch.hpp>

#include "util/duration.hpp"

using pm::Duration;
using pm::format_duration;
using pm::parse_duration;

TEST_CASE("durations with every unit parse to milliseconds", "[duration]") {
  CHECK(parse_duration("500ms").value() == Duration{500});
  CHECK(parse_duration("30s").value() == Duration{30'000});
  CHECK(parse_duration("5m").value() == Duration{300'000});
  CHECK(parse_duration("2h").value() == Duration{7'200'000});
  CHECK(parse_duration("1d").value() == Duration{86'400'000});
  CHECK(parse_duration("1m30s").value() == Duration{90'000});
  CHECK(parse_duration("0s").value() == Duration{0});
}

TEST_CASE("malformed durations are rejected with the reason", "[duration]") {
  auto bare = parse_duration("30");
  REQUIRE_FALSE(bare);
  CHECK_THAT(bare.error(), Catch::Contains("invalid duration '30': missing unit"));
  CHECK_THAT(parse_duration("").error(), Catch::Contains("empty"));
  CHECK_THAT(parse_duration("5x").error(), Catch::Contains("unknown unit 'x'"));
  CHECK_THAT(parse_duration("s").error(), Catch::Contains("expected a number"));
  CHECK_THAT(parse_duration("-5s").error(), Catch::Contains("expected a number"));
  CHECK_THAT(parse_duration("1.5s").error(), Catch::Contains("unknown unit '.5s'"));
  CHECK_THAT(parse_duration("99999999999999999999s").error(), Catch::Contains("too large"));
  CHECK_THAT(parse_duration("9999999999999999d").error(), Catch::Contains("too large"));
}

TEST_CASE("durations format for reports", "[duration]") {
  CHECK(format_duration(Duration{0}) == "0s");
  CHECK(format_duration(Duration{250}) == "250ms");
  CHECK(format_duration(Duration{1500}) == "1.5s");
  CHECK(format_duration(Duration{30'000}) == "30s");
  CHECK(format_duration(Duration{90'000}) == "1m30s");
  CHECK(format_duration(Duration{3'600'000}) == "1h");
  CHECK(parse_duration(format_duration(Duration{93'784'000})).value() == Duration{93'784'000});
}
