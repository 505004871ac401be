#include <chrono>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "alert/alert_attempt.hpp"
#include "alert/alert_channel.hpp"
#include "alert/alert_event.hpp"

using namespace std::chrono_literals;
using pm::AlertChannelConfig;
using pm::AlertEvent;

namespace {

AlertEvent gave_up() {
  AlertEvent event;
  event.kind = "gave-up";
  event.service = "api";
  event.backend = "pm2";
  event.reason = "5 restarts in 1h";
  event.host = "web-1";
  // 2024-05-01T12:01:30Z, plus a fraction that the format drops.
  event.time =
      pm::WallTime{std::chrono::sys_days{2024y / 5 / 1}.time_since_epoch() + 12h + 1min + 30s + 750ms};
  return event;
}

}  // namespace

TEST_CASE("alert JSON: schema version 1 with every field", "[alert]") {
  const nlohmann::json expected = {{"schema_version", 1},
                                   {"event", "gave-up"},
                                   {"service", "api"},
                                   {"backend", "pm2"},
                                   {"reason", "5 restarts in 1h"},
                                   {"host", "web-1"},
                                   {"time", "2024-05-01T12:01:30Z"}};
  CHECK(pm::to_json(gave_up()) == expected);
}

TEST_CASE("alert time: RFC 3339 in UTC, whole seconds", "[alert]") {
  CHECK(pm::format_rfc3339_utc(pm::WallTime{}) == "1970-01-01T00:00:00Z");
  CHECK(pm::format_rfc3339_utc(gave_up().time) == "2024-05-01T12:01:30Z");
}

TEST_CASE("alert summary line: host, service, what happened, why", "[alert]") {
  AlertEvent event = gave_up();
  CHECK(pm::summary_line(event) == "process-monitor on web-1: api gave up: 5 restarts in 1h");
  event.kind = "became-unhealthy";
  event.reason = "status 503 not in 200-399\nsecond line";
  CHECK(pm::summary_line(event) ==
        "process-monitor on web-1: api became unhealthy: status 503 not in 200-399 second line");
  event.kind = "recovered";
  event.reason.clear();
  CHECK(pm::summary_line(event) == "process-monitor on web-1: api recovered");
  event.kind = "restarted";
  CHECK(pm::summary_line(event) == "process-monitor on web-1: api was restarted");
}

TEST_CASE("webhook body: json is the event, slack is its summary as text", "[alert]") {
  auto json = pm::webhook_body(gave_up(), "json");
  REQUIRE(json.has_value());
  CHECK(nlohmann::json::parse(*json) == pm::to_json(gave_up()));

  auto slack = pm::webhook_body(gave_up(), "slack");
  REQUIRE(slack.has_value());
  CHECK(nlohmann::json::parse(*slack) ==
        nlohmann::json{{"text", "process-monitor on web-1: api gave up: 5 restarts in 1h"}});

  auto other = pm::webhook_body(gave_up(), "xml");
  REQUIRE_FALSE(other.has_value());
  CHECK(other.error() == "unknown format 'xml' (expected \"json\" or \"slack\")");
}

TEST_CASE("webhook body: invalid UTF-8 in a reason is replaced, not thrown", "[alert]") {
  AlertEvent event = gave_up();
  event.reason = "cut \xE2\x82";
  auto json = pm::webhook_body(event, "json");
  REQUIRE(json.has_value());
  CHECK(nlohmann::json::parse(*json)["reason"] == "cut \xEF\xBF\xBD");
}

TEST_CASE("alert channels: subscriptions and descriptions", "[alert]") {
  AlertChannelConfig channel;
  CHECK(pm::subscribes(channel, "recovered"));  // no list: everything
  channel.events = {"gave-up", "became-unhealthy"};
  CHECK(pm::subscribes(channel, "gave-up"));
  CHECK_FALSE(pm::subscribes(channel, "recovered"));

  channel.url = "https://hooks.slack.com/services/T000/B000/XXXX";
  CHECK(pm::describe_channel(channel) == "webhook https://hooks.slack.com/services/***");
  channel.kind = AlertChannelConfig::Exec;
  channel.argv = {"/usr/local/bin/page-oncall", "--token", "s3cr3t"};
  CHECK(pm::describe_channel(channel) == "exec /usr/local/bin/page-oncall");
}

TEST_CASE("local_host_name: this machine's name", "[alert]") {
  const std::string name = pm::local_host_name();
  CHECK_FALSE(name.empty());
  CHECK(name.find('\0') == std::string::npos);
}
