#pragma once
// One try at delivering one event to one channel. AlertSender decides about
// retries and deadlines; these only do the one try and say whether another
// one could help.
#include <expected>
#include <string>
#include <string_view>

#include "alert/alert_channel.hpp"
#include "alert/alert_event.hpp"
#include "util/deadline.hpp"
#include "util/duration.hpp"
#include "util/exec.hpp"

namespace pm {

struct AttemptResult {
  bool delivered = false;
  // False when the same try would fail the same way (a 404, a malformed
  // URL, a program that does not exist): retrying only burns the deadline.
  bool worth_retrying = false;
  std::string error;  // empty when delivered; secrets redacted
};

// What a webhook channel POSTs for `event`: to_json(event) for "json",
// {"text": summary_line(event)} for "slack"; unexpected for another format.
std::expected<std::string, std::string> webhook_body(const AlertEvent& event, std::string_view format);

// POSTs `body` to channel.url with channel.headers, taking at most `timeout`
// (at least 1 ms), connecting included. Delivered on a 2xx answer; redirects
// are not followed. `cut_by_deadline` says that `timeout` is what was left of
// the send() deadline rather than channel.timeout, for the message.
// Needs curl_global_init to have run.
AttemptResult post_webhook(const AlertChannelConfig& channel, const std::string& body, Duration timeout,
                           bool cut_by_deadline);

// Runs channel.argv through `runner` with the event in its environment:
// PM_EVENT (the kind), PM_SERVICE, PM_BACKEND, PM_REASON, PM_HOST, PM_TIME
// (RFC 3339 UTC), PM_SUMMARY (summary_line) and PM_EVENT_JSON (to_json,
// what a webhook gets). Stdin is /dev/null: ExecRequest cannot feed a child's
// stdin, so the JSON travels in PM_EVENT_JSON instead. Delivered when the
// command exits 0 by `deadline`.
AttemptResult run_hook(const AlertChannelConfig& channel, const AlertEvent& event, CommandRunner& runner,
                       Deadline deadline);

}  // namespace pm
