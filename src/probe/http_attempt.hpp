#pragma once
// One HTTP request of a health check: a configured curl easy handle, its
// capped body buffer, and the judging of its outcome against the check.
// HttpProber drives many of these on one multi handle; this type knows
// nothing about retries, deadlines or scheduling.
#include <curl/curl.h>

#include <array>
#include <cstddef>
#include <string>

#include "config/config.hpp"
#include "util/duration.hpp"

namespace pm {

// What one attempt showed; the fields mean what they mean in ProbeResult.
struct AttemptOutcome {
  bool healthy = false;
  long status_code = 0;
  Duration latency{0};
  std::string error;  // empty when healthy
};

class HttpAttempt {
 public:
  // Bodies are read up to this size; the transfer stops there and the part
  // read is what body_contains is checked against.
  static constexpr std::size_t kBodyCap = 1024 * 1024;

  // Configures a GET of `check.url` that may take at most `timeout` (>= 1ms),
  // connecting included. `cut_by_deadline` says that `timeout` is the run's
  // remaining time rather than check.timeout, for the timeout message.
  // `check` must outlive the attempt. On failure setup_error() says why.
  HttpAttempt(const HealthCheck& check, Duration timeout, bool cut_by_deadline);
  // Removes the transfer from its multi handle, if started, and frees it.
  ~HttpAttempt();
  HttpAttempt(const HttpAttempt&) = delete;
  HttpAttempt& operator=(const HttpAttempt&) = delete;

  // Empty when the request is ready to start.
  const std::string& setup_error() const { return setup_error_; }

  // Adds the transfer to `multi`, which must outlive this attempt. False
  // (with setup_error() set) when that fails.
  bool start(CURLM* multi);

  CURL* handle() const { return easy_; }

  // Judges the finished transfer; `result` is the CURLcode that
  // curl_multi_info_read reported for it.
  AttemptOutcome judge(CURLcode result) const;

 private:
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);
  std::string describe_failure(CURLcode result) const;

  const HealthCheck& check_;
  Duration timeout_;
  bool cut_by_deadline_;
  CURL* easy_ = nullptr;
  CURLM* multi_ = nullptr;  // set once started
  curl_slist* headers_ = nullptr;
  std::string body_;
  bool body_capped_ = false;  // the transfer was stopped at kBodyCap on purpose
  std::array<char, CURL_ERROR_SIZE> errbuf_{};
  std::string setup_error_;
};

}  // namespace pm
