#pragma once
// "Did you mean ...?" for misspelt keys and values.
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace pm {

// Edits (insertions, deletions, substitutions and swaps of two adjacent
// characters) that turn `a` into `b`, ignoring ASCII case.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate `word` most likely is a typo of: the closest one, if it is
// close enough (1 edit for words of up to 5 characters, 2 up to 8, else 3).
// The first candidate wins a tie; nullopt when none is close.
std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates);

}  // namespace pm
