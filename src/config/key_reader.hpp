#pragma once
// The machinery of the config's key tables: a Key names one accepted key and
// its typed parser; read_keys() dispatches every key of a TOML table to its
// parser and reports the others as unknown, with a suggestion.
#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "config/field_reader.hpp"
#include "config/suggest.hpp"
#include "config/toml.hpp"

namespace pm {

// One accepted key: its name and the parser that stores its value into the
// section's target. Plain function pointers keep every table constexpr.
template <typename Target>
struct Key {
  std::string_view name;
  void (*read)(FieldReader& reader, const toml::node& value, Target& target);
};

template <typename Target, std::size_t N>
std::vector<std::string_view> names_of(const std::array<Key<Target>, N>& keys) {
  std::vector<std::string_view> names;
  for (const auto& key : keys) names.push_back(key.name);
  return names;
}

inline std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  auto match = closest_match(word, candidates);
  return match ? fmt::format(" (did you mean '{}'?)", *match) : std::string();
}

inline bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

inline bool is_one_of(std::string_view word, std::span<const std::string_view> words) {
  return std::ranges::find(words, word) != words.end();
}

// The message for an unknown key of `section`: a suggestion from the
// section's own keys, else the section the key belongs to (key_table.cpp).
std::string unknown_key_message(std::string_view key, std::string_view section);

// Dispatches every key of `table` to its parser; `section` is how the table
// is written in the file ("[monitor]"), or empty for the top level.
template <typename Target, std::size_t N>
void read_keys(FieldReader& reader, const toml::table& table, std::string_view section,
               const std::array<Key<Target>, N>& keys, Target& target) {
  for (auto&& [key, value] : table) {
    auto known = std::ranges::find(keys, key.str(), &Key<Target>::name);
    if (known == keys.end()) {
      reader.fail(key.source(), unknown_key_message(key.str(), section));
    } else {
      known->read(reader, value, target);
    }
  }
}

}  // namespace pm
