// The config file: TOML text -> parse_config, which parses and runs every
// validation rule. Any input must give a Config or one message, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/load_config.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = pm::parse_config(text, "fuzz.toml");
  if (!config) FUZZ_CHECK(!config.error().empty());
  return 0;
}
