// Durations and sizes as written in config files and flags. Contracts
// checked (util/duration.hpp, util/size.hpp): a parsed duration is never
// negative and, from a minute on, format_duration reads back the same;
// format_size always reads back the same.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "util/duration.hpp"
#include "util/size.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto duration = pm::parse_duration(text)) {
    FUZZ_CHECK(duration->count() >= 0);
    std::string formatted = pm::format_duration(*duration);
    if (*duration >= std::chrono::minutes(1)) {
      auto again = pm::parse_duration(formatted);
      FUZZ_CHECK(again && *again == *duration);
    }
  }
  if (auto bytes = pm::parse_size(text)) {
    auto again = pm::parse_size(pm::format_size(*bytes));
    FUZZ_CHECK(again && *again == *bytes);
  }
  return 0;
}
