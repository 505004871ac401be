#include "alert/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace pm {
namespace {

constexpr std::string_view kHidden = "***";

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Tokens are long and random: letters mixed with digits (Slack's
// B0123ABCD/XXXXXXXXXXXXXXXXXXXXXXXX, UUIDs, API keys). Words in paths are
// neither, so "v2", "alerts" and "process-monitor-alerts" stay readable.
bool looks_like_token(std::string_view text) {
  if (text.size() >= 32) return true;
  if (text.size() < 16) return false;
  const bool has_digit = std::ranges::any_of(text, [](unsigned char c) { return std::isdigit(c) != 0; });
  const bool has_letter = std::ranges::any_of(text, [](unsigned char c) { return std::isalpha(c) != 0; });
  return has_digit && has_letter;
}

// Segments after which the chat services put the webhook's credential.
bool names_a_webhook(std::string_view segment) {
  static constexpr std::array<std::string_view, 5> kWords{"services", "hooks", "webhooks", "webhook",
                                                          "webhookb2"};
  return std::ranges::find(kWords, lower(segment)) != kWords.end();
}

std::string redact_userinfo(std::string_view userinfo) {
  const std::size_t colon = userinfo.find(':');
  std::string_view user = userinfo.substr(0, colon);
  std::string out = looks_like_token(user) ? std::string(kHidden) : std::string(user);
  if (colon != std::string_view::npos) out += ":" + std::string(kHidden);
  return out + "@";
}

std::string redact_path(std::string_view path) {
  std::string out;
  std::size_t start = 0;
  bool after_webhook_word = false;
  while (start <= path.size()) {
    std::size_t end = std::min(path.find('/', start), path.size());
    std::string_view segment = path.substr(start, end - start);
    if (!segment.empty() && (after_webhook_word || looks_like_token(segment))) {
      return out + std::string(kHidden);
    }
    out += segment;
    if (end < path.size()) out += '/';
    after_webhook_word = names_a_webhook(segment);
    start = end + 1;
  }
  return out;
}

std::string redact_query(std::string_view query) {
  std::string out;
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = std::min(query.find('&', start), query.size());
    std::string_view pair = query.substr(start, end - start);
    if (std::size_t equals = pair.find('='); equals != std::string_view::npos) {
      out += std::string(pair.substr(0, equals + 1)) + std::string(kHidden);
    } else {
      out += looks_like_token(pair) ? std::string(kHidden) : std::string(pair);
    }
    if (end < query.size()) out += '&';
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out;
  std::string_view rest = url;
  if (std::size_t scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
    out = std::string(rest.substr(0, scheme_end + 3));
    rest.remove_prefix(scheme_end + 3);
    const std::size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
    std::string_view authority = rest.substr(0, authority_end);
    // The last '@' ends the userinfo: an unencoded '@' in a password must not leak its tail.
    if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
      out += redact_userinfo(authority.substr(0, at));
      authority.remove_prefix(at + 1);
    }
    out += authority;
    rest.remove_prefix(authority_end);
  }
  std::string_view fragment;
  if (std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
    fragment = rest.substr(hash);
    rest = rest.substr(0, hash);
  }
  const std::size_t question = rest.find('?');
  out += redact_path(rest.substr(0, question));
  if (question != std::string_view::npos) out += "?" + redact_query(rest.substr(question + 1));
  if (!fragment.empty()) out += "#" + std::string(kHidden);
  return out;
}

std::string redact_mentions(std::string text, std::string_view url) {
  if (url.empty()) return text;
  const std::string shown = redact_url(url);
  for (std::size_t at = 0; (at = text.find(url, at)) != std::string::npos; at += shown.size()) {
    text.replace(at, url.size(), shown);
  }
  return text;
}

std::string redact_header_value(std::string_view name, std::string_view value) {
  const std::string key = lower(name);
  static constexpr std::array<std::string_view, 8> kCredentialWords{
      "auth", "cookie", "token", "secret", "key", "password", "signature", "session"};
  const bool credential = std::ranges::any_of(
      kCredentialWords, [&](std::string_view word) { return key.find(word) != std::string::npos; });
  if (!credential) return std::string(value);
  // "Bearer xyz" keeps its scheme: which kind of credential was sent helps
  // the reader, the credential does not. Only known schemes: the first word
  // of an unknown value may be part of the secret.
  static constexpr std::array<std::string_view, 6> kSchemes{"basic",  "bearer",    "bot",
                                                            "digest", "negotiate", "token"};
  const std::size_t space = value.find(' ');
  if (space != std::string_view::npos &&
      std::ranges::find(kSchemes, lower(value.substr(0, space))) != kSchemes.end()) {
    return std::string(value.substr(0, space + 1)) + std::string(kHidden);
  }
  return std::string(kHidden);
}

}  // namespace pm
