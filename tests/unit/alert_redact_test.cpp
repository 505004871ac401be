#include <catch2/catch.hpp>

#include "alert/redact.hpp"

using pm::redact_header_value;
using pm::redact_url;

TEST_CASE("redact_url: chat webhooks keep their host, lose their token", "[alert][redact]") {
  CHECK(redact_url("https://hooks.slack.com/services/T000/B000/XXXX") ==
        "https://hooks.slack.com/services/***");
  CHECK(redact_url("https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx") ==
        "https://hooks.slack.com/services/***");
  CHECK(redact_url("https://discord.com/api/webhooks/123456789012345678/AbCdEf-token/slack") ==
        "https://discord.com/api/webhooks/***");
  CHECK(redact_url("https://chat.example.com/hooks/xj3k8s9m1qwe7rty5uio2pas4d") ==
        "https://chat.example.com/hooks/***");
}

TEST_CASE("redact_url: token-looking path segments hide the rest of the path", "[alert][redact]") {
  CHECK(redact_url("https://alerts.example.com/v2/0f8fad5b-d9cb-469f-a165-70867728950e/send") ==
        "https://alerts.example.com/v2/***");
  CHECK(redact_url("https://x.example/a/abcdefgh12345678") == "https://x.example/a/***");
  // Words are not tokens: long without digits, or short.
  CHECK(redact_url("https://alerts.example.com/api/v2/process-monitor-alerts") ==
        "https://alerts.example.com/api/v2/process-monitor-alerts");
  CHECK(redact_url("http://127.0.0.1:8080/hook") == "http://127.0.0.1:8080/hook");
  CHECK(redact_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080/");
  CHECK(redact_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080");
}

TEST_CASE("redact_url: userinfo passwords", "[alert][redact]") {
  CHECK(redact_url("https://user:pa55word@example.com/notify") == "https://user:***@example.com/notify");
  CHECK(redact_url("https://user:p@ss@example.com/") == "https://user:***@example.com/");
  CHECK(redact_url("https://alice@example.com/") == "https://alice@example.com/");
  CHECK(redact_url("https://ghp1234567890abcdefghij@example.com/") == "https://***@example.com/");
}

TEST_CASE("redact_url: query values and fragments", "[alert][redact]") {
  CHECK(redact_url("https://example.com/notify?token=abc&channel=ops") ==
        "https://example.com/notify?token=***&channel=***");
  CHECK(redact_url("https://example.com/notify?verbose") == "https://example.com/notify?verbose");
  CHECK(redact_url("https://example.com/notify?abcdef1234567890ghij") == "https://example.com/notify?***");
  CHECK(redact_url("https://example.com/notify#key=abc") == "https://example.com/notify#***");
  CHECK(redact_url("https://example.com?key=1") == "https://example.com?key=***");
}

TEST_CASE("redact_url: not a URL is treated as a path", "[alert][redact]") {
  CHECK(redact_url("") == "");
  CHECK(redact_url("/usr/local/bin/notify") == "/usr/local/bin/notify");
  CHECK(redact_url("hooks.slack.com/services/T000/B000/XXXX") == "hooks.slack.com/services/***");
}

TEST_CASE("redact_header_value: credentials hidden, scheme kept", "[alert][redact]") {
  CHECK(redact_header_value("Authorization", "Bearer abc.def") == "Bearer ***");
  CHECK(redact_header_value("authorization", "Basic dXNlcjpwYXNz") == "Basic ***");
  CHECK(redact_header_value("Proxy-Authorization", "Basic dXNlcjpwYXNz") == "Basic ***");
  CHECK(redact_header_value("X-Api-Key", "abc123") == "***");
  CHECK(redact_header_value("X-Auth-Token", "abc 123") == "***");  // an unknown first word may be secret
  CHECK(redact_header_value("Authorization", "Bot MTk4NjIy") == "Bot ***");
  CHECK(redact_header_value("Cookie", "session=abc") == "***");
  CHECK(redact_header_value("X-Webhook-Secret", "") == "***");
  CHECK(redact_header_value("Content-Type", "application/json") == "application/json");
  CHECK(redact_header_value("X-Team", "ops") == "ops");
}

TEST_CASE("redact_mentions: a library's message quoting the URL", "[alert][redact]") {
  const std::string url = "https://hooks.slack.com/services/T000/B000/XXXX";
  CHECK(pm::redact_mentions("cannot post to " + url + " (" + url + ")", url) ==
        "cannot post to https://hooks.slack.com/services/*** (https://hooks.slack.com/services/***)");
  CHECK(pm::redact_mentions("plain http://h/x", "http://h/x") == "plain http://h/x");
  CHECK(pm::redact_mentions("text", "") == "text");
}
