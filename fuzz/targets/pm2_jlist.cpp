// `pm2 jlist` output (backend/pm2_jlist.hpp), then the per-target summary
// of what was parsed, with every parsed name (and one unknown) as a target.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backend/pm2_jlist.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view output(reinterpret_cast<const char*>(data), size);
  auto processes = pm::parse_pm2_jlist(output);
  if (!processes) return 0;
  std::vector<std::string> targets{"not-in-the-list"};
  for (const auto& process : *processes) {
    targets.push_back(process.name);
    (void)pm::pm2_status_to_state(process.status);
  }
  auto summary = pm::summarize_pm2_processes(*processes, targets);
  for (const auto& target : targets) FUZZ_CHECK(summary.contains(target));
  return 0;
}
