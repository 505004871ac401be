#include "rotate/retention.hpp"

#include <algorithm>

namespace pm {
namespace {

// Consecutive files of one generation, as [begin, end) index ranges.
std::vector<std::pair<std::size_t, std::size_t>> generations_of(const std::vector<RotatedFile>& files) {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (ranges.empty() || files[ranges.back().first].generation != files[i].generation) {
      ranges.emplace_back(i, i + 1);
    } else {
      ranges.back().second = i + 1;
    }
  }
  return ranges;
}

}  // namespace

std::vector<RotatedFile> plan_removals(const std::vector<RotatedFile>& newest_first, int keep,
                                       std::optional<std::uint64_t> max_total) {
  auto generations = generations_of(newest_first);
  std::size_t kept = std::min(generations.size(), static_cast<std::size_t>(std::max(keep, 0)));
  if (max_total) {
    std::uint64_t total = 0;
    for (std::size_t g = 0; g < kept; ++g) {
      for (std::size_t i = generations[g].first; i < generations[g].second; ++i)
        total += newest_first[i].size;
    }
    while (kept > 0 && total > *max_total) {
      --kept;
      for (std::size_t i = generations[kept].first; i < generations[kept].second; ++i) {
        total -= newest_first[i].size;
      }
    }
  }
  std::vector<RotatedFile> removals;
  for (std::size_t g = generations.size(); g-- > kept;) {
    for (std::size_t i = generations[g].first; i < generations[g].second; ++i)
      removals.push_back(newest_first[i]);
  }
  return removals;
}

std::vector<RotatedFile> plan_compressions(const std::vector<RotatedFile>& newest_first,
                                           bool delay_compress) {
  std::vector<RotatedFile> compressions;
  auto generations = generations_of(newest_first);
  std::size_t first = delay_compress ? 1 : 0;
  for (std::size_t g = generations.size(); g-- > first;) {
    for (std::size_t i = generations[g].first; i < generations[g].second; ++i) {
      if (!newest_first[i].compressed) compressions.push_back(newest_first[i]);
    }
  }
  return compressions;
}

}  // namespace pm
