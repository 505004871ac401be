#include "probe/http_prober.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "probe/curl_events.hpp"
#include "probe/http_attempt.hpp"
#include "util/curl_global.hpp"
#include "util/fd_limit.hpp"
#include "util/interrupt.hpp"

namespace pm {
namespace {

using Clock = Deadline::Clock;

// Upper bound of one wait; curl's own timers and the wake fd usually end it sooner.
constexpr Duration kMaxPollWait{1000};
// curl enforces each attempt's timeout itself; this only catches a transfer
// that outlives the run deadline anyway, so "nothing runs past the deadline" holds.
constexpr Duration kDeadlineGrace{500};
// Descriptors kept free for the rest of the run (state file, log, pipes, engine sockets).
constexpr std::size_t kReservedDescriptors = 64;

// One check on its way through its attempts. It is running (`attempt` set),
// waiting for `next_start`, or done.
struct Probe {
  const HealthCheck* check;
  ProbeResult result;
  std::unique_ptr<HttpAttempt> attempt;
  Clock::time_point next_start;
  bool done = false;
};

struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};

// The transfers of one probe_all() call on one multi handle.
class ProbeRun {
 public:
  ProbeRun(const std::vector<const HealthCheck*>& checks, Deadline deadline, const Interrupt* interrupt)
      : multi_(curl_multi_init()), events_(multi_.get()), deadline_(deadline), interrupt_(interrupt) {
    probes_.reserve(checks.size());
    for (const HealthCheck* check : checks) probes_.push_back(Probe{check, {}, nullptr, Clock::now()});
    // Every probe runs at once, one socket each, unless the descriptor limit
    // cannot make room: then the excess waits in curl's queue instead of failing.
    const std::size_t limit = make_room_for_descriptors(checks.size() + kReservedDescriptors);
    if (multi_ && checks.size() + kReservedDescriptors > limit) {
      const long connections =
          static_cast<long>(std::max<std::size_t>(limit, 2 * kReservedDescriptors) - kReservedDescriptors);
      curl_multi_setopt(multi_.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, connections);
    }
  }

  std::vector<ProbeResult> run() {
    if (!multi_ || !events_.ok()) {
      stop_unfinished("cannot create the HTTP client (curl_multi_init or epoll_create1 failed)");
    } else {
      loop();
    }
    std::vector<ProbeResult> results;
    results.reserve(probes_.size());
    for (Probe& probe : probes_) results.push_back(std::move(probe.result));
    return results;
  }

 private:
  void loop() {
    // The interrupt's pipe is watched with curl's sockets: a SIGTERM ends
    // the wait at once instead of after the slowest probe.
    if (interrupt_ != nullptr) events_.wake_on(interrupt_->wake_fd());
    while (true) {
      // Checked first, so an interrupt that came before the call starts nothing.
      if (interrupt_ != nullptr && interrupt_->requested()) return stop_unfinished("interrupted");
      start_due(Clock::now());
      CURLMcode rc = events_.act_on_due_timer();  // new transfers start on curl's first timeout
      if (rc != CURLM_OK) return stop_unfinished(multi_failure(rc));
      collect_finished();
      if (std::ranges::all_of(probes_, &Probe::done)) return;
      if (Clock::now() - kDeadlineGrace >= deadline_.at()) return stop_unfinished("run deadline reached");
      bool woken = false;
      rc = events_.wait_and_act(poll_timeout(), woken);
      if (rc != CURLM_OK) return stop_unfinished(multi_failure(rc));
      collect_finished();
    }
  }

  void start_due(Clock::time_point now) {
    for (Probe& probe : probes_) {
      if (!probe.done && !probe.attempt && probe.next_start <= now) start_attempt(probe);
    }
  }

  void start_attempt(Probe& probe) {
    const Duration left = deadline_.remaining();
    if (left <= Duration::zero()) {
      // An earlier attempt's error, if any, stays the answer.
      if (probe.result.attempts == 0) probe.result.error = "run deadline reached before the probe could run";
      probe.done = true;
      return;
    }
    const bool cut = left < probe.check->timeout;
    auto attempt = std::make_unique<HttpAttempt>(*probe.check, cut ? left : probe.check->timeout, cut);
    ++probe.result.attempts;
    if (attempt->setup_error().empty()) {
      curl_easy_setopt(attempt->handle(), CURLOPT_PRIVATE, static_cast<void*>(&probe));
    }
    if (!attempt->start(multi_.get())) {
      // A request that cannot be set up fails the same way on every retry.
      probe.result = ProbeResult{.attempts = probe.result.attempts, .error = attempt->setup_error()};
      probe.done = true;
      return;
    }
    probe.attempt = std::move(attempt);
  }

  void collect_finished() {
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      // Copied out: removing the handle (attempt.reset()) invalidates `message`.
      CURL* easy = message->easy_handle;
      const CURLcode code = message->data.result;
      // Each transfer carries its Probe (start_attempt): no search among thousands.
      char* owner = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &owner);
      auto* probe = reinterpret_cast<Probe*>(owner);
      if (probe == nullptr || !probe->attempt || probe->attempt->handle() != easy) continue;
      AttemptOutcome outcome = probe->attempt->judge(code);
      probe->attempt.reset();
      record(*probe, std::move(outcome));
    }
  }

  void record(Probe& probe, AttemptOutcome outcome) {
    ProbeResult& result = probe.result;
    result.healthy = outcome.healthy;
    result.status_code = outcome.status_code;
    result.latency = outcome.latency;
    result.error = std::move(outcome.error);
    if (result.healthy || result.attempts > probe.check->retries) {
      probe.done = true;
      return;
    }
    // The retry waits in the schedule, not in a sleep: the other transfers go on meanwhile.
    const Clock::time_point retry_at = Clock::now() + probe.check->retry_delay;
    if (retry_at >= deadline_.at()) {
      probe.done = true;  // it could not start in time; waiting for it would only delay the others' report
      return;
    }
    probe.next_start = retry_at;
  }

  // Ends every unfinished probe with `error`; running transfers are abandoned.
  void stop_unfinished(std::string_view error) {
    for (Probe& probe : probes_) {
      if (probe.done) continue;
      probe.attempt.reset();
      probe.result.healthy = false;
      probe.result.error = std::string(error);
      probe.done = true;
    }
  }

  // Until the earliest scheduled retry; CurlEvents shortens it for curl's own timers.
  Duration poll_timeout() const {
    const Clock::time_point now = Clock::now();
    Duration wait = kMaxPollWait;
    for (const Probe& probe : probes_) {
      if (probe.done || probe.attempt) continue;
      // Rounded up: waking a fraction of a millisecond early would spin.
      wait = std::min(wait, std::chrono::ceil<Duration>(probe.next_start - now));
    }
    return std::max(wait, Duration::zero());
  }

  static std::string multi_failure(CURLMcode rc) {
    return fmt::format("HTTP client failure: {}", curl_multi_strerror(rc));
  }

  // Declared before the probes so that they are destroyed after them: each
  // attempt removes itself from the multi handle when destroyed, and curl
  // reports the sockets it drops to `events_`.
  std::unique_ptr<CURLM, MultiDeleter> multi_;
  CurlEvents events_;
  // Reserved up front and never resized: each transfer points at its Probe (CURLOPT_PRIVATE).
  std::vector<Probe> probes_;
  Deadline deadline_;
  const Interrupt* interrupt_;
};

}  // namespace

HttpProber::HttpProber(const Interrupt* interrupt) : interrupt_(interrupt) {}

HttpProber::~HttpProber() = default;

std::vector<ProbeResult> HttpProber::probe_all(const std::vector<const HealthCheck*>& checks,
                                               Deadline deadline) {
  if (checks.empty()) return {};
  // Here, not at construction: runs without probes never load libcurl.
  if (auto ready = ensure_curl_initialized(); !ready) {
    return std::vector<ProbeResult>(checks.size(), ProbeResult{.error = ready.error()});
  }
  return ProbeRun(checks, deadline, interrupt_).run();
}

}  // namespace pm
