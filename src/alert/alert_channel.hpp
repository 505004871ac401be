#pragma once
// Where alerts go: a webhook (an HTTP POST) or a command (an argv, run
// without a shell). AlertSender (alert_sender.hpp) delivers to these; the
// config code builds and validates them.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/duration.hpp"

namespace pm {

struct AlertChannelConfig {
  enum Kind { Webhook, Exec };
  Kind kind = Webhook;

  // Webhook only: an http or https URL, POSTed one event at a time.
  std::string url;
  // "json": to_json(event), schema version 1 (alert_event.hpp).
  // "slack": {"text": summary_line(event)}, which Slack incoming webhooks,
  //          Discord's slack-compatible endpoint (.../slack) and Mattermost accept.
  std::string format = "json";
  // Sent with every POST; a Content-Type here replaces application/json.
  std::vector<std::pair<std::string, std::string>> headers;

  // Exec only: the command, argv[0] looked up in PATH when it has no '/'. It gets
  // the event in its environment (see AlertSender) and succeeds by exiting 0.
  std::vector<std::string> argv;

  Duration timeout{5000};  // each attempt, and never past the send() deadline
  int retries = 1;         // attempts after the first failed one
  Duration retry_delay{1000};
  // The kinds (kAlertKinds) this channel wants; empty means all of them.
  std::vector<std::string> events;
};

// Whether `channel` wants events of `kind`.
bool subscribes(const AlertChannelConfig& channel, std::string_view kind);

// The channel for log lines and reports, secrets hidden:
// "webhook https://hooks.slack.com/services/***", "exec /usr/local/bin/page-oncall"
// (argv[0] only: arguments may hold credentials).
std::string describe_channel(const AlertChannelConfig& channel);

}  // namespace pm
