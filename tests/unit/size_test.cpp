#include <catch2/catch.hpp>

#include "util/size.hpp"

using pm::format_size;
using pm::parse_size;

TEST_CASE("sizes with every unit parse to bytes", "[size]") {
  CHECK(parse_size("4096B").value() == 4096);
  CHECK(parse_size("512K").value() == 512 * 1024);
  CHECK(parse_size("512k").value() == 512 * 1024);
  CHECK(parse_size("100M").value() == 100ULL * 1024 * 1024);
  CHECK(parse_size("100MiB").value() == 100ULL * 1024 * 1024);
  CHECK(parse_size("1G").value() == 1ULL << 30);
  CHECK(parse_size("2T").value() == 2ULL << 40);
  CHECK(parse_size("0B").value() == 0);
}

TEST_CASE("malformed sizes are rejected with the reason", "[size]") {
  CHECK_THAT(parse_size("100").error(), Catch::Contains("invalid size '100': missing unit"));
  CHECK_THAT(parse_size("").error(), Catch::Contains("empty"));
  CHECK_THAT(parse_size("M").error(), Catch::Contains("expected a whole number"));
  CHECK_THAT(parse_size("-1M").error(), Catch::Contains("expected a whole number"));
  CHECK_THAT(parse_size("1.5G").error(), Catch::Contains("unknown unit '.5G'"));
  CHECK_THAT(parse_size("10MB").error(), Catch::Contains("unknown unit 'MB'"));
  CHECK_THAT(parse_size("10BiB").error(), Catch::Contains("unknown unit 'BiB'"));
  CHECK_THAT(parse_size("20000000T").error(), Catch::Contains("too large"));
  CHECK_THAT(parse_size("99999999999999999999B").error(), Catch::Contains("number too large"));
}

TEST_CASE("sizes format exactly, in the largest unit that divides them", "[size]") {
  CHECK(format_size(0) == "0B");
  CHECK(format_size(1536) == "1536B");
  CHECK(format_size(2048) == "2K");
  CHECK(format_size(100ULL << 20) == "100M");
  CHECK(format_size(3ULL << 30) == "3G");
  for (std::uint64_t bytes : {1ULL, 1023ULL, 1ULL << 20, (5ULL << 40) + 1024}) {
    CHECK(parse_size(format_size(bytes)).value() == bytes);
  }
}
