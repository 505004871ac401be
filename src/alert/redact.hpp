#pragma once
// Secrets kept out of logs and reports. A webhook URL usually IS the
// credential (Slack, Discord, Mattermost, Teams put the token in the path),
// and headers carry API keys; every line that names an alert channel shows
// it through these functions.
#include <string>
#include <string_view>

namespace pm {

// The URL with its secrets replaced by "***"; scheme, host and port stay, so
// the reader still knows where it points:
// - userinfo: the password ("https://user:***@host/"); a user name that
//   looks like a token is hidden too.
// - path: from the first segment that looks like a token (16+ characters
//   with both letters and digits, or 32+ of anything), or that follows a
//   segment naming a webhook ("services", "hooks", "webhooks", "webhook",
//   "webhookb2"), the rest of the path is one "***":
//   "https://hooks.slack.com/services/T000/B000/XXXX" -> "https://hooks.slack.com/services/***".
// - query: every value ("?token=***&channel=***"), and bare keys that look like tokens.
// - fragment: all of it ("#***").
// Works on text that is no valid URL as well (then it is all path).
std::string redact_url(std::string_view url);

// `text` with every occurrence of `url` replaced by redact_url(url): for
// messages of libraries that quote the URL (or program) they were given.
std::string redact_mentions(std::string text, std::string_view url);

// `value` when header `name` carries no credential; else "***", keeping a
// known auth scheme word (Basic, Bearer, Bot, Digest, Negotiate, Token:
// "Bearer ***"). Credential headers: every
// name containing "auth" (Authorization, Proxy-Authorization), "cookie",
// "token", "secret", "key", "password", "signature" or "session",
// case-insensitive. Hiding a harmless header is the cheaper mistake.
std::string redact_header_value(std::string_view name, std::string_view value);

}  // namespace pm
