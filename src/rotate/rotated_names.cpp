#include "rotate/rotated_names.hpp"

#include <algorithm>
#include <charconv>
#include <tuple>

#include <fmt/format.h>

#include "rotate/partial_file.hpp"

namespace pm {
namespace {

constexpr std::size_t kMaxIndexDigits = 7;

// `text` as a number if it is exactly `digits` digits (any count from 1 to
// kMaxIndexDigits when digits is 0, without a leading zero).
std::optional<std::int64_t> number_of(std::string_view text, std::size_t digits) {
  if (text.empty() || !std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; })) return {};
  if (digits == 0 ? (text.size() > kMaxIndexDigits || text.front() == '0') : text.size() != digits) return {};
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

struct Suffix {
  std::size_t base_length;  // the live file's name is name.substr(0, base_length)
  std::array<std::int64_t, 3> generation;
};

// Every way `name` (without ".gz") ends in a rotated suffix of `naming`.
std::vector<Suffix> suffixes_of(std::string_view name, RotatedNaming naming) {
  std::vector<Suffix> found;
  if (naming == RotatedNaming::Numbered) {
    auto dot = name.rfind('.');
    if (dot != std::string_view::npos && dot > 0) {
      if (auto index = number_of(name.substr(dot + 1), 0); index && *index > 0) {
        found.push_back({dot, {*index, 0, 0}});
      }
    }
    return found;
  }
  // LIVE-DATE, LIVE-DATE-TIME, LIVE-DATE-TIME-K: up to three '-' fields from
  // the right. Newer sorts first, so the fields are negated; a name without
  // a time is the day's first, and one without a counter the second's first.
  std::vector<std::string_view> fields;
  std::string_view rest = name;
  for (int i = 0; i < 3; ++i) {
    auto dash = rest.rfind('-');
    if (dash == std::string_view::npos || dash == 0) break;
    fields.insert(fields.begin(), rest.substr(dash + 1));
    rest = rest.substr(0, dash);
    auto date = number_of(fields[0], 8);
    if (!date) continue;
    std::optional<std::int64_t> time =
        fields.size() > 1 ? number_of(fields[1], 6) : std::optional<std::int64_t>(-1);
    std::optional<std::int64_t> counter =
        fields.size() > 2 ? number_of(fields[2], 0) : std::optional<std::int64_t>(1);
    if (time && counter && *counter >= 1) found.push_back({rest.size(), {-*date, -*time, -*counter}});
  }
  return found;
}

std::string_view without_gzip(std::string_view name, bool& compressed) {
  compressed = name.ends_with(kGzipSuffix);
  if (compressed) name.remove_suffix(kGzipSuffix.size());
  return name;
}

}  // namespace

std::string RotatedFile::plain_name() const {
  return compressed ? name.substr(0, name.size() - kGzipSuffix.size()) : name;
}

std::optional<RotatedFile> parse_rotated_name(std::string_view live, std::string_view candidate,
                                              RotatedNaming naming) {
  bool compressed = false;
  std::string_view plain = without_gzip(candidate, compressed);
  for (const auto& suffix : suffixes_of(plain, naming)) {
    if (plain.substr(0, suffix.base_length) == live) {
      return RotatedFile{std::string(candidate), compressed, suffix.generation, 0};
    }
  }
  return std::nullopt;
}

std::vector<RotatedFile> rotated_files_of(std::string_view live, const std::vector<std::string>& names,
                                          RotatedNaming naming) {
  std::vector<RotatedFile> files;
  for (const auto& name : names) {
    if (auto file = parse_rotated_name(live, name, naming)) files.push_back(std::move(*file));
  }
  std::ranges::sort(files, [](const RotatedFile& a, const RotatedFile& b) {
    return std::tie(a.generation, a.compressed, a.name) < std::tie(b.generation, b.compressed, b.name);
  });
  return files;
}

bool looks_rotated(std::string_view name) {
  if (name.ends_with(kPartialSuffix) || name.ends_with(kGzipSuffix)) return true;
  return !suffixes_of(name, RotatedNaming::Numbered).empty() ||
         !suffixes_of(name, RotatedNaming::Dated).empty();
}

std::vector<RotatedFile> shifted_for_new(const std::vector<RotatedFile>& newest_first, std::string_view live,
                                         RotatedNaming naming) {
  std::vector<RotatedFile> shifted = newest_first;
  if (naming != RotatedNaming::Numbered) return shifted;
  for (auto& file : shifted) {
    ++file.generation[0];
    file.name = numbered_name(live, file.generation[0], file.compressed);
  }
  return shifted;
}

std::string numbered_name(std::string_view live, std::int64_t index, bool compressed) {
  return fmt::format("{}.{}{}", live, index, compressed ? kGzipSuffix : "");
}

std::string dated_name(std::string_view live, const std::tm& local,
                       const std::vector<RotatedFile>& existing) {
  std::int64_t date = (local.tm_year + 1900) * 10000LL + (local.tm_mon + 1) * 100 + local.tm_mday;
  std::int64_t time = local.tm_hour * 10000LL + local.tm_min * 100 + local.tm_sec;
  bool day_taken = false;
  std::int64_t last_counter = 0;  // of this very second; 0: none yet
  for (const auto& file : existing) {
    if (-file.generation[0] != date) continue;
    day_taken = true;
    if (-file.generation[1] == time) last_counter = std::max(last_counter, -file.generation[2]);
  }
  if (!day_taken) return fmt::format("{}-{:08}", live, date);
  if (last_counter == 0) return fmt::format("{}-{:08}-{:06}", live, date, time);
  return fmt::format("{}-{:08}-{:06}-{}", live, date, time, last_counter + 1);
}

}  // namespace pm
