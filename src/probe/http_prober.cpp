#include "probe/http_prober.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "probe/http_attempt.hpp"
#include "util/interrupt.hpp"

namespace pm {
namespace {

using Clock = Deadline::Clock;

// Upper bound of one wait; curl's own timers and the wake fd usually end it sooner.
constexpr Duration kMaxPollWait{1000};
// curl enforces each attempt's timeout itself; this only catches a transfer
// that outlives the run deadline anyway, so "nothing runs past the deadline" holds.
constexpr Duration kDeadlineGrace{500};

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
      : multi_(curl_multi_init()), deadline_(deadline), interrupt_(interrupt) {
    probes_.reserve(checks.size());
    for (const HealthCheck* check : checks) probes_.push_back(Probe{check, {}, nullptr, Clock::now()});
  }

  std::vector<ProbeResult> run() {
    if (!multi_) {
      stop_unfinished("cannot create the HTTP client (curl_multi_init failed)");
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
    while (true) {
      // Checked first, so an interrupt that came before the call starts nothing.
      if (interrupt_ != nullptr && interrupt_->requested()) return stop_unfinished("interrupted");
      start_due(Clock::now());
      int running = 0;
      CURLMcode rc = curl_multi_perform(multi_.get(), &running);
      if (rc != CURLM_OK) return stop_unfinished(multi_failure(rc));
      collect_finished();
      if (std::ranges::all_of(probes_, &Probe::done)) return;
      if (Clock::now() - kDeadlineGrace >= deadline_.at()) return stop_unfinished("run deadline reached");

      // The interrupt's pipe is watched with curl's sockets: a SIGTERM ends
      // the wait at once instead of after the slowest probe.
      curl_waitfd wake{};
      unsigned wake_count = 0;
      if (interrupt_ != nullptr) {
        wake = curl_waitfd{interrupt_->wake_fd(), CURL_WAIT_POLLIN, 0};
        wake_count = 1;
      }
      rc = curl_multi_poll(multi_.get(), &wake, wake_count, poll_timeout_ms(), nullptr);
      if (rc != CURLM_OK) return stop_unfinished(multi_failure(rc));
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
      auto probe = std::ranges::find_if(probes_, [&](const Probe& candidate) {
        return candidate.attempt && candidate.attempt->handle() == easy;
      });
      if (probe == probes_.end()) continue;
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

  // Until the earliest scheduled retry; curl shortens it for its own timers.
  int poll_timeout_ms() const {
    const Clock::time_point now = Clock::now();
    Duration wait = kMaxPollWait;
    for (const Probe& probe : probes_) {
      if (probe.done || probe.attempt) continue;
      // Rounded up: waking a fraction of a millisecond early would spin.
      wait = std::min(wait, std::chrono::ceil<Duration>(probe.next_start - now));
    }
    return static_cast<int>(std::max(wait, Duration::zero()).count());
  }

  static std::string multi_failure(CURLMcode rc) {
    return fmt::format("HTTP client failure: {}", curl_multi_strerror(rc));
  }

  // Declared before the probes so that it is destroyed after them: each
  // attempt removes itself from the multi handle when destroyed.
  std::unique_ptr<CURLM, MultiDeleter> multi_;
  std::vector<Probe> probes_;
  Deadline deadline_;
  const Interrupt* interrupt_;
};

}  // namespace

HttpProber::HttpProber(const Interrupt* interrupt) : interrupt_(interrupt) {
  // curl_global_init must run once, before any other curl call and while no
  // other thread uses curl; it is never undone, since curl may be used until exit.
  static std::once_flag curl_initialized;
  std::call_once(curl_initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpProber::~HttpProber() = default;

std::vector<ProbeResult> HttpProber::probe_all(const std::vector<const HealthCheck*>& checks,
                                               Deadline deadline) {
  if (checks.empty()) return {};
  return ProbeRun(checks, deadline, interrupt_).run();
}

}  // namespace pm
