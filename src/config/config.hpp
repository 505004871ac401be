#pragma once
// The typed configuration. Everything here has been validated by
// load_config(): code that receives a Config never re-checks it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alert/alert_channel.hpp"
#include "policy/policy_settings.hpp"
#include "resources/resource_settings.hpp"
#include "resources/service_limits.hpp"
#include "rotate/log_group.hpp"
#include "util/duration.hpp"

namespace pm {

// Where a value came from, for messages: "config.toml:12:9".
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  // "file:line:col"; "file:line" without a column, "file" without a line.
  std::string str() const;
};

// Inclusive range of HTTP status codes; "200-399" or a single "204".
struct StatusRange {
  int low = 200;
  int high = 399;
  bool contains(long status) const { return status >= low && status <= high; }
};

struct HealthCheck {
  std::string url;
  Duration timeout{5000};  // per attempt
  std::vector<StatusRange> expect_status{StatusRange{}};
  std::optional<std::string> body_contains;
  std::vector<std::pair<std::string, std::string>> headers;
  int retries = 2;  // attempts after the first failed one
  Duration retry_delay{1000};
  std::string expect_status_text = "200-399";  // as written, for messages
  // TLS: the peer's certificate and name are verified unless `insecure`
  // (logged as a warning by every run that probes it); `ca_file` (a PEM
  // bundle, readable when the config was loaded) replaces the system CAs.
  bool insecure = false;
  std::optional<std::string> ca_file;
  // A 3xx is judged as the answer unless `follow_redirects`; then up to
  // kMaxRedirects are followed, to http and https URLs only.
  bool follow_redirects = false;
  static constexpr long kMaxRedirects = 5;
};

// What the service's backend state is allowed to be.
enum class Expect {
  Running,  // default: stopped means down and is restarted
  Any,      // stopped on purpose is fine (reported, not restarted)
  Stopped,  // the operator stopped it: whatever its state, it is reported and never restarted or probed
};

struct ServiceConfig {
  std::string name;
  std::string backend;  // "pm2", "docker", "none", "auto"
  // What the backend looks for. PM2: the app name. Docker: a container
  // name, or a selector "label:KEY[=VALUE]", "compose:PROJECT" or
  // "compose:PROJECT/SERVICE" (docker_selector.hpp). systemd: the unit,
  // "user/UNIT" for the user manager (systemd_units.hpp). Defaults to name.
  std::string target;
  std::optional<HealthCheck> health;
  // Replaces the backend's own restart (and is the only restart for
  // backend "none"). argv vector, never a shell.
  std::vector<std::string> restart_command;
  Duration restart_timeout{60000};  // deadline of the restart call itself
  Duration verify_timeout{30000};   // how long a restarted service may take to be healthy
  Duration stop_timeout{10000};     // Docker: seconds the engine waits after SIGTERM (restart?t=)
  Expect expect = Expect::Running;
  RestartPolicy policy;  // confirm, grace, backoff, budget: built-in < [defaults] < the service's keys
  ServiceLimits limits;  // [service.limits]: memory and CPU use, as the engine reports them
  SourceLocation where;  // the [[service]] header, for messages
};

struct MonitorSettings {
  Duration deadline{120000};       // the whole run (one cycle in --once)
  Duration verify_interval{1000};  // between re-checks while verifying
  // Where restart history is kept between runs; unset: /var/lib/process-monitor
  // as root, else $XDG_STATE_HOME/process-monitor.
  std::optional<std::string> state_dir;
  // The monitor's own --log-file rotates (by rename, gzip) past this size,
  // keeping log_keep rotated files.
  std::uint64_t log_max_size = 10 * 1024 * 1024;
  int log_keep = 5;
};

struct Pm2Settings {
  std::string binary = "pm2";       // looked up in PATH when it has no '/'
  std::optional<std::string> home;  // PM2_HOME; else the environment's, else ~/.pm2
  Duration timeout{15000};          // per pm2 command (jlist, restart)
};

struct DockerSettings {
  std::optional<std::string> host;       // unset: $DOCKER_HOST, else unix:///var/run/docker.sock
  std::optional<bool> tls_verify;        // unset: $DOCKER_TLS_VERIFY
  std::optional<std::string> cert_path;  // unset: $DOCKER_CERT_PATH, else ~/.docker
  Duration timeout{10000};               // per Engine API call; restarts get stop_timeout + a margin
};

struct SystemdSettings {
  Duration timeout{10000};  // per batched query; restarts wait for their job up to restart_timeout
};

// A service shared by the results of the cycles that check it. Those from
// select_services share ownership of their whole Config rather than copy it.
using ServicePtr = std::shared_ptr<const ServiceConfig>;

struct Config {
  std::string path;  // the file it was read from
  MonitorSettings monitor;
  Pm2Settings pm2;
  DockerSettings docker;
  SystemdSettings systemd;
  std::vector<AlertChannelConfig> alerts;  // [[alert]]: where state changes are announced
  std::vector<ServiceConfig> services;
  std::vector<LogGroupConfig> logs;  // [[logs]]: log files rotated by each run
  ResourceSettings resources;        // [resources]: host thresholds checked by each run

  // The service named exactly `name`, or nullptr.
  const ServiceConfig* find_service(std::string_view name) const;
};

}  // namespace pm
