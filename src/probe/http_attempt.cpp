#include "probe/http_attempt.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <new>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "alert/redact.hpp"
#include "util/duration.hpp"

// CMake defines it for the library; a fallback keeps stand-alone builds working.
#ifndef PM_VERSION
#define PM_VERSION "dev"
#endif

namespace pm {
namespace {

constexpr long kReceiveBuffer = 4096;

// The host part of `url`, for "cannot resolve host 'x'"; the URL itself when
// it does not parse (it did get past the config's validation).
std::string host_of(const std::string& url) {
  std::string host = url;
  if (CURLU* parsed = curl_url()) {
    char* part = nullptr;
    if (curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
        curl_url_get(parsed, CURLUPART_HOST, &part, 0) == CURLUE_OK) {
      host = part;
    }
    curl_free(part);
    curl_url_cleanup(parsed);
  }
  return host;
}

}  // namespace

HttpAttempt::HttpAttempt(const HealthCheck& check, Duration timeout, bool cut_by_deadline)
    // CURLOPT_TIMEOUT_MS of 0 means "no timeout": never let one through.
    : check_(check), timeout_(std::max(timeout, Duration{1})), cut_by_deadline_(cut_by_deadline) {
  easy_ = curl_easy_init();
  if (easy_ == nullptr) {
    setup_error_ = "cannot create an HTTP request (curl_easy_init failed)";
    return;
  }
  for (const auto& [name, value] : check.headers) {
    // curl drops a header written "Name:" with nothing after it; "Name;" sends it with an empty value.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    curl_slist* grown = curl_slist_append(headers_, line.c_str());
    if (grown == nullptr) {
      setup_error_ = "cannot build the request headers (out of memory)";
      return;
    }
    headers_ = grown;
  }

  CURLcode rc = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy_, option, value);
  };
  const long timeout_ms = static_cast<long>(timeout_.count());
  set(CURLOPT_URL, check.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  // An empty proxy disables proxies, http_proxy & co. included: health URLs
  // are direct, and a proxy would judge its own health, not the service's.
  set(CURLOPT_PROXY, "");
  // A 3xx is the answer being judged, unless the check follows redirects:
  // then only to http and https, a bounded number of times.
  if (check.follow_redirects) {
    set(CURLOPT_FOLLOWLOCATION, 1L);
    set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    set(CURLOPT_MAXREDIRS, HealthCheck::kMaxRedirects);
  } else {
    set(CURLOPT_FOLLOWLOCATION, 0L);
  }
  // Verification is libcurl's default; set anyway, so the contract is here.
  set(CURLOPT_SSL_VERIFYPEER, check.insecure ? 0L : 1L);
  set(CURLOPT_SSL_VERIFYHOST, check.insecure ? 0L : 2L);
  if (check.ca_file) set(CURLOPT_CAINFO, check.ca_file->c_str());
  // Without it, the synchronous resolver uses SIGALRM, which is neither
  // thread-safe nor compatible with our own signal handling.
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_TIMEOUT_MS, timeout_ms);
  set(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  set(CURLOPT_USERAGENT, "process-monitor/" PM_VERSION);
  // A new connection per attempt, closed when it ends. Nothing could be
  // reused anyway (every attempt of a round starts at once, and the multi
  // handle lives for one round), but looking for a reusable connection
  // scans every open one to the same host: with a thousand URLs on one
  // host:port that made a round quadratic (bench/RESULTS.md). Closing at
  // once also frees each socket as soon as its probe is judged.
  set(CURLOPT_FRESH_CONNECT, 1L);
  set(CURLOPT_FORBID_REUSE, 1L);
  // curl's receive buffer is allocated per transfer, 16 KiB by default: with
  // a thousand probes in flight that was half of the peak heap. A health
  // answer is a few hundred bytes; a larger body only takes more reads.
  set(CURLOPT_BUFFERSIZE, kReceiveBuffer);
  if (headers_ != nullptr) set(CURLOPT_HTTPHEADER, headers_);
  set(CURLOPT_WRITEFUNCTION, &HttpAttempt::on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(this));
  set(CURLOPT_ERRORBUFFER, errbuf_.data());
  if (rc != CURLE_OK) {
    setup_error_ =
        fmt::format("cannot set up the request to {}: {}", redact_url(check.url), curl_easy_strerror(rc));
  }
}

HttpAttempt::~HttpAttempt() {
  if (multi_ != nullptr) curl_multi_remove_handle(multi_, easy_);
  if (easy_ != nullptr) curl_easy_cleanup(easy_);
  // Only now: the handle refers to the list until it is cleaned up.
  curl_slist_free_all(headers_);
}

bool HttpAttempt::start(CURLM* multi) {
  if (!setup_error_.empty()) return false;
  CURLMcode rc = curl_multi_add_handle(multi, easy_);
  if (rc != CURLM_OK) {
    setup_error_ =
        fmt::format("cannot start the request to {}: {}", redact_url(check_.url), curl_multi_strerror(rc));
    return false;
  }
  multi_ = multi;
  return true;
}

std::size_t HttpAttempt::on_body(char* data, std::size_t size, std::size_t count, void* self) {
  auto* attempt = static_cast<HttpAttempt*>(self);
  const std::size_t bytes = size * count;
  const std::size_t room = kBodyCap - attempt->body_.size();
  try {
    attempt->body_.append(data, std::min(bytes, room));
  } catch (const std::bad_alloc&) {
    return 0;  // must not unwind through libcurl; the transfer fails with a write error
  }
  if (bytes > room) {
    // Returning less than we were given stops the transfer (CURLE_WRITE_ERROR);
    // the flag tells judge() that this stop is ours and not a failure.
    attempt->body_capped_ = true;
    return 0;
  }
  return bytes;
}

AttemptOutcome HttpAttempt::judge(CURLcode result) const {
  AttemptOutcome outcome;
  curl_off_t total_us = 0;
  if (curl_easy_getinfo(easy_, CURLINFO_TOTAL_TIME_T, &total_us) == CURLE_OK) {
    outcome.latency = std::chrono::duration_cast<Duration>(std::chrono::microseconds(total_us));
  }
  long status = 0;
  if (curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK) outcome.status_code = status;

  const bool stopped_at_cap = result == CURLE_WRITE_ERROR && body_capped_;
  if (result != CURLE_OK && !stopped_at_cap) {
    outcome.error = describe_failure(result);
    return outcome;
  }
  const bool status_ok = std::ranges::any_of(
      check_.expect_status, [&](const StatusRange& range) { return range.contains(status); });
  if (!status_ok) {
    outcome.error = fmt::format("status {} not in {}", status, check_.expect_status_text);
    return outcome;
  }
  if (check_.body_contains && body_.find(*check_.body_contains) == std::string::npos) {
    outcome.error = fmt::format("body does not contain '{}'{}", *check_.body_contains,
                                body_capped_ ? " (in its first 1 MiB)" : "");
    return outcome;
  }
  outcome.healthy = true;
  return outcome;
}

std::string HttpAttempt::describe_failure(CURLcode result) const {
  const std::string detail = errbuf_.data();
  auto with_detail = [&](std::string_view what) {
    return detail.empty() ? std::string(what) : fmt::format("{}: {}", what, detail);
  };
  switch (result) {
    case CURLE_COULDNT_CONNECT: {
      // The OS error tells "refused" (nothing listens) from "unreachable".
      long os_error = 0;
      curl_easy_getinfo(easy_, CURLINFO_OS_ERRNO, &os_error);
      if (os_error == ECONNREFUSED) return "connection refused";
      if (os_error != 0) {
        return "cannot connect: " + std::generic_category().message(static_cast<int>(os_error));
      }
      return with_detail("cannot connect");
    }
    case CURLE_OPERATION_TIMEDOUT:
      return fmt::format("timed out after {}{}", format_duration(timeout_),
                         cut_by_deadline_ ? " (cut short by the run deadline)" : "");
    case CURLE_COULDNT_RESOLVE_HOST: return fmt::format("cannot resolve host '{}'", host_of(check_.url));
    case CURLE_GOT_NOTHING: return "empty reply from server";
    case CURLE_UNSUPPORTED_PROTOCOL:
      // The configured URL is http or https (config/url_check.hpp): a redirect left them.
      return check_.follow_redirects
                 ? with_detail("redirected to a URL that is not http or https (only those are followed)")
                 : "unsupported URL scheme (only http and https are probed)";
    case CURLE_TOO_MANY_REDIRECTS:
      return fmt::format("more than {} redirects (a redirect loop?)", HealthCheck::kMaxRedirects);
    case CURLE_URL_MALFORMAT: return fmt::format("malformed URL '{}'", redact_url(check_.url));
    case CURLE_SSL_CONNECT_ERROR: return with_detail("TLS handshake failed");
    case CURLE_PEER_FAILED_VERIFICATION:
      return fmt::format("{} (give its CA in 'ca_file', or set insecure = true to skip verification)",
                         with_detail("TLS certificate not accepted"));
    default: return with_detail(curl_easy_strerror(result));
  }
}

}  // namespace pm
