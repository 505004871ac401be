#include "discover/service_names.hpp"

#include <set>

#include <fmt/format.h>

#include "config/text_rules.hpp"

namespace pm {
namespace {

bool is_alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// `base` cut so that `suffix` fits behind it within the maximum length.
std::string with_suffix(const std::string& base, const std::string& suffix) {
  std::string kept = base.substr(0, kMaxServiceNameLength - suffix.size());
  while (!kept.empty() && kept.back() == '-') kept.pop_back();
  return kept + suffix;
}

}  // namespace

std::string sanitize_service_name(std::string_view wanted) {
  std::string name;
  bool replaced = false;  // the last character written stands for characters that are not allowed
  for (char c : wanted) {
    if (is_service_name_char(c)) {
      name += c;
      replaced = false;
    } else if (!replaced) {
      name += '-';
      replaced = true;
    }
  }
  std::size_t start = 0;
  while (start < name.size() && !is_alnum(name[start])) ++start;
  name.erase(0, start);
  if (name.size() > kMaxServiceNameLength) name.resize(kMaxServiceNameLength);
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name.empty() ? "service" : name;
}

std::vector<std::string> unique_service_names(
    const std::vector<std::pair<std::string, std::string>>& wanted) {
  std::set<std::string> taken;
  std::vector<std::string> names;
  for (const auto& [wanted_name, qualifier] : wanted) {
    std::string name = sanitize_service_name(wanted_name);
    if (taken.contains(name) && !qualifier.empty()) name = sanitize_service_name(qualifier + "-" + name);
    std::string base = name;
    for (int number = 2; taken.contains(name); ++number) name = with_suffix(base, fmt::format("-{}", number));
    taken.insert(name);
    names.push_back(name);
  }
  return names;
}

}  // namespace pm
