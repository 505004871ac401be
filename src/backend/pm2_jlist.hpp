#pragma once
// Parsing of `pm2 jlist` output. Only the fields process-monitor needs are
// kept: pm2_env also holds the app's whole environment (secrets included,
// both in pm2_env.env and merged into pm2_env itself), and it is dropped
// while parsing so it can never reach a log line or a report.
#include <expected>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/backend.hpp"

namespace pm {

struct Pm2Process {
  std::string name;
  long pm_id = -1;
  long pid = 0;
  std::string status;  // online, launching, stopping, stopped, errored, one-launch-status
  long restart_time = 0;
  std::string exec_mode;  // fork_mode, cluster_mode
  // pidusage's sample of the process (monit), absent when PM2 gives none
  std::optional<long> memory_bytes;
  std::optional<double> cpu_percent;  // 100 = one CPU busy
};

// Reads jlist output. Tolerates lines printed before the JSON (older PM2
// prints "In-memory PM2 is out-of-date" banners, and "[PM2] Spawning PM2
// daemon" when it had to start one). Unexpected: no JSON list found, or an
// entry lacks name, pm_id or pm2_env.status; the message says which.
std::expected<std::vector<Pm2Process>, std::string> parse_pm2_jlist(std::string_view output);

// The same list read from a stream that holds only the JSON (the daemon's
// answer on its RPC socket, read as it arrives: pm2_rpc.hpp).
std::expected<std::vector<Pm2Process>, std::string> parse_pm2_list(std::istream& in);

// One status per target. Several processes share a name in cluster mode (or
// when started with -i): the service is Running only if every instance is
// online, and otherwise takes the state of its worst instance. Its usage is
// the sum over its online instances, set only when every one reports it.
StatusByTarget summarize_pm2_processes(const std::vector<Pm2Process>& processes,
                                       const std::vector<std::string>& targets);

// PM2's status word -> neutral state.
UnitState pm2_status_to_state(std::string_view status);

}  // namespace pm
