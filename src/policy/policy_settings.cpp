#include "policy/policy_settings.hpp"

#include <charconv>
#include <cmath>
#include <vector>

#include <fmt/format.h>

namespace pm {
namespace {

constexpr std::string_view kBudgetForms = R"((expected "COUNT per WINDOW" or "unlimited", e.g. "5 per 1h"))";

std::string bad_budget(std::string_view text, std::string_view why) {
  return fmt::format("invalid restart budget '{}': {} {}", text, why, kBudgetForms);
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  constexpr std::string_view kSpace = " \t";
  while (true) {
    auto start = text.find_first_not_of(kSpace);
    if (start == std::string_view::npos) return words;
    text.remove_prefix(start);
    auto end = std::min(text.find_first_of(kSpace), text.size());
    words.push_back(text.substr(0, end));
    text.remove_prefix(end);
  }
}

}  // namespace

std::expected<RestartBudget, std::string> parse_restart_budget(std::string_view text) {
  auto words = split_words(text);
  if (words.empty()) return std::unexpected(bad_budget(text, "empty"));
  if (words[0] == "unlimited") {
    if (words.size() > 1) return std::unexpected(bad_budget(text, fmt::format("unexpected '{}'", words[1])));
    return RestartBudget{.unlimited = true};
  }

  int count = 0;
  auto count_word = words[0];
  auto [end, ec] = std::from_chars(count_word.data(), count_word.data() + count_word.size(), count);
  if (ec == std::errc::result_out_of_range) return std::unexpected(bad_budget(text, "count too large"));
  if (ec != std::errc{} || end != count_word.data() + count_word.size()) {
    return std::unexpected(bad_budget(text, fmt::format("'{}' is not a number of restarts", count_word)));
  }
  if (count < 1) return std::unexpected(bad_budget(text, "the count must be at least 1"));
  if (words.size() < 2) return std::unexpected(bad_budget(text, "missing 'per WINDOW' after the count"));
  if (words[1] != "per") {
    return std::unexpected(
        bad_budget(text, fmt::format("expected 'per' after the count, found '{}'", words[1])));
  }
  if (words.size() < 3) return std::unexpected(bad_budget(text, "missing the window after 'per'"));
  if (words.size() > 3) {
    return std::unexpected(bad_budget(text, fmt::format("unexpected '{}' after the window", words[3])));
  }
  auto window = parse_duration(words[2]);
  // The duration's own message already shows valid durations.
  if (!window) return std::unexpected(fmt::format("invalid restart budget '{}': {}", text, window.error()));
  if (*window <= Duration::zero())
    return std::unexpected(bad_budget(text, "the window must be longer than 0s"));
  return RestartBudget{.count = count, .window = *window};
}

std::string to_string(const RestartBudget& budget) {
  if (budget.unlimited) return "unlimited";
  return fmt::format("{} per {}", budget.count, format_duration(budget.window));
}

std::expected<void, std::string> check_restart_policy(const RestartPolicy& policy) {
  auto fail = [](std::string message) { return std::unexpected(std::move(message)); };
  if (policy.confirm < 1) return fail(fmt::format("confirm must be at least 1, got {}", policy.confirm));
  if (policy.grace < Duration::zero()) return fail("grace must not be negative");
  if (policy.backoff_initial < Duration::zero()) return fail("backoff_initial must not be negative");
  if (!std::isfinite(policy.backoff_factor) || policy.backoff_factor < 1.0) {
    return fail(fmt::format("backoff_factor must be at least 1, got {}", policy.backoff_factor));
  }
  if (policy.backoff_max < policy.backoff_initial) {
    return fail(fmt::format("backoff_max ({}) must not be shorter than backoff_initial ({})",
                            format_duration(policy.backoff_max), format_duration(policy.backoff_initial)));
  }
  if (!(policy.backoff_jitter >= 0.0 && policy.backoff_jitter < 1.0)) {
    return fail(fmt::format("backoff_jitter must be at least 0 and below 1, got {}", policy.backoff_jitter));
  }
  if (policy.backoff_reset_after < Duration::zero()) return fail("backoff_reset_after must not be negative");
  if (!policy.budget.unlimited && policy.budget.count < 1) {
    return fail(fmt::format("the restart budget's count must be at least 1, got {}", policy.budget.count));
  }
  if (policy.budget.window <= Duration::zero())
    return fail("the restart budget's window must be longer than 0s");
  return {};
}

}  // namespace pm
