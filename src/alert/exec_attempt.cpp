#include <fmt/format.h>

#include "alert/alert_attempt.hpp"
#include "alert/redact.hpp"

namespace pm {
namespace {

// A hook's output only matters for its last line (why it failed).
constexpr std::size_t kHookOutputCap = 64 * 1024;
// Short: run() may return this long after the deadline, and alerts come last in a run.
constexpr Duration kHookKillGrace{500};

}  // namespace

AttemptResult run_hook(const AlertChannelConfig& channel, const AlertEvent& event, CommandRunner& runner,
                       Deadline deadline) {
  const std::string json = to_json(event).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  ExecRequest request;
  request.argv = channel.argv;
  // ExecRequest has no stdin (the child reads /dev/null), so the JSON a
  // webhook would get travels in PM_EVENT_JSON; the fields come one by one
  // too, for hooks that are shell scripts.
  request.env_overrides = {{"PM_EVENT", event.kind},
                           {"PM_SERVICE", event.service},
                           {"PM_BACKEND", event.backend},
                           {"PM_REASON", event.reason},
                           {"PM_HOST", event.host},
                           {"PM_TIME", format_rfc3339_utc(event.time)},
                           {"PM_SUMMARY", summary_line(event)},
                           {"PM_EVENT_JSON", json}};
  request.deadline = deadline;
  request.kill_grace = kHookKillGrace;
  request.output_cap = kHookOutputCap;

  auto ran = runner.run(request);
  // Not startable (not found, not executable): the next try finds the same.
  if (!ran) return {false, false, redact_mentions(ran.error(), channel.argv.empty() ? "" : channel.argv[0])};
  if (ran->succeeded()) return {true, false, ""};
  std::string error = ran->describe();
  if (std::string line = ran->last_output_line(); !line.empty()) error += ": " + line;
  // An interrupted run means the monitor is stopping: no second try.
  return {false, !ran->interrupted, std::move(error)};
}

}  // namespace pm
