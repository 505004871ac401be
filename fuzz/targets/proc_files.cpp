// The /proc parsers of the host checks (resources/proc_files.hpp): the same
// text as /proc/meminfo, /proc/loadavg and /proc/stat. Contracts checked:
// the memory ratio and the CPU busy share stay within [0, 1].
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "resources/proc_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto memory = pm::parse_meminfo(text)) {
    double used = memory->used_ratio();
    FUZZ_CHECK(used >= 0.0 && used <= 1.0);
  }
  (void)pm::parse_loadavg(text);
  if (auto times = pm::parse_proc_stat(text)) {
    FUZZ_CHECK(times->busy <= times->total);
    FUZZ_CHECK(!pm::cpu_busy_ratio(*times, *times));
    pm::CpuTimes later = *times;
    later.busy += 1;
    later.total += 2;
    if (auto busy = pm::cpu_busy_ratio(*times, later)) FUZZ_CHECK(*busy >= 0.0 && *busy <= 1.0);
  }
  return 0;
}
