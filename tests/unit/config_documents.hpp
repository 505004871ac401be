#pragma once
// Parsing config documents in tests, as "test.toml". Documents in tests
// start right after R"( so that their line numbers are the ones the
// messages must report.
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "config/load_config.hpp"

namespace pm::test {

// The config of a valid document (the test fails with the error otherwise).
inline Config parsed(std::string_view document) {
  auto config = parse_config(document, "test.toml");
  INFO((config ? std::string() : config.error()));
  REQUIRE(config);
  return *config;
}

// The error of an invalid document (the test fails if it is valid).
inline std::string error_of(std::string_view document) {
  auto config = parse_config(document, "test.toml");
  REQUIRE_FALSE(config);
  return config.error();
}

}  // namespace pm::test
