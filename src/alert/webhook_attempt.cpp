#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <memory>
#include <system_error>

#include <fmt/format.h>

#include "alert/alert_attempt.hpp"
#include "alert/redact.hpp"
#include "util/curl_global.hpp"

// CMake defines it for the library; a fallback keeps stand-alone builds working.
#ifndef PM_VERSION
#define PM_VERSION "dev"
#endif

namespace pm {
namespace {

// Enough of an error answer to show why ("invalid_token", "no_service").
constexpr std::size_t kResponseSnippet = 200;

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

std::size_t keep_snippet(char* data, std::size_t size, std::size_t count, void* target) {
  auto* text = static_cast<std::string*>(target);
  const std::size_t bytes = size * count;
  // No allocation past the first call's reserve, so nothing can throw through libcurl.
  text->append(data, std::min(bytes, kResponseSnippet - std::min(kResponseSnippet, text->size())));
  return bytes;
}

std::string first_line(std::string_view text) {
  text = text.substr(0, text.find_first_of("\r\n"));
  const std::size_t end = text.find_last_not_of(" \t");
  return end == std::string_view::npos ? std::string() : std::string(text.substr(0, end + 1));
}

bool is_content_type(std::string_view name) {
  constexpr std::string_view kName = "content-type";
  return name.size() == kName.size() &&
         std::equal(name.begin(), name.end(), kName.begin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

std::string describe_failure(CURL* easy, CURLcode result, const char* detail, Duration timeout,
                             bool cut_by_deadline) {
  switch (result) {
    case CURLE_OPERATION_TIMEDOUT:
      return fmt::format("timed out after {}{}", format_duration(timeout),
                         cut_by_deadline ? " (cut short by the alert deadline)" : "");
    case CURLE_COULDNT_CONNECT: {
      long os_error = 0;
      curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_error);
      if (os_error == ECONNREFUSED) return "connection refused";
      if (os_error != 0) {
        return "cannot connect: " + std::generic_category().message(static_cast<int>(os_error));
      }
      break;
    }
    default: break;
  }
  return *detail != '\0' ? fmt::format("{}: {}", curl_easy_strerror(result), detail)
                         : std::string(curl_easy_strerror(result));
}

}  // namespace

std::expected<std::string, std::string> webhook_body(const AlertEvent& event, std::string_view format) {
  // A reason can carry a command's output cut mid-character: replace bad UTF-8 rather than throw.
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  if (format == "json") return to_json(event).dump(-1, ' ', false, kReplace);
  if (format == "slack") return nlohmann::json{{"text", summary_line(event)}}.dump(-1, ' ', false, kReplace);
  return std::unexpected(fmt::format("unknown format '{}' (expected \"json\" or \"slack\")", format));
}

AttemptResult post_webhook(const AlertChannelConfig& channel, const std::string& body, Duration timeout,
                           bool cut_by_deadline) {
  if (auto ready = ensure_curl_initialized(); !ready) return {false, false, ready.error()};
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (easy == nullptr) return {false, true, "cannot create an HTTP request (curl_easy_init failed)"};

  std::unique_ptr<curl_slist, ListDeleter> headers;
  bool out_of_memory = false;
  auto add_header = [&](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown == nullptr) {
      out_of_memory = true;
      return;
    }
    (void)headers.release();  // `grown` is that same list, one entry longer
    headers.reset(grown);
  };
  bool content_type_given = false;
  for (const auto& [name, value] : channel.headers) {
    content_type_given = content_type_given || is_content_type(name);
    // "Name;" is how curl sends a header with an empty value ("Name:" would drop it).
    add_header(value.empty() ? name + ";" : name + ": " + value);
  }
  if (!content_type_given) add_header("Content-Type: application/json");
  // No "Expect: 100-continue" round trip: receivers that ignore it cost a second each.
  add_header("Expect:");
  if (out_of_memory) return {false, true, "cannot build the request headers (out of memory)"};

  std::string response;
  response.reserve(kResponseSnippet);
  std::array<char, CURL_ERROR_SIZE> errbuf{};
  const long timeout_ms = static_cast<long>(std::max(timeout, Duration{1}).count());
  CURLcode rc = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy.get(), option, value);
  };
  set(CURLOPT_URL, channel.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  // No CURLOPT_PROXY: unlike health probes (which must reach the service
  // directly), a webhook leaves the host, and where that needs a proxy it is
  // configured in the environment (https_proxy, no_proxy), which curl's
  // default proxy handling follows.
  // A redirected POST turns into a GET on the way; a webhook that moved is a failure to fix.
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_POST, 1L);
  set(CURLOPT_POSTFIELDS, body.c_str());
  set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  set(CURLOPT_HTTPHEADER, headers.get());
  // The synchronous resolver would otherwise use SIGALRM, which is not thread-safe.
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_TIMEOUT_MS, timeout_ms);
  set(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  set(CURLOPT_USERAGENT, "process-monitor/" PM_VERSION);
  set(CURLOPT_WRITEFUNCTION, &keep_snippet);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&response));
  set(CURLOPT_ERRORBUFFER, errbuf.data());
  if (rc != CURLE_OK) {
    return {false, false, fmt::format("cannot set up the request: {}", curl_easy_strerror(rc))};
  }

  const CURLcode result = curl_easy_perform(easy.get());
  if (result != CURLE_OK) {
    // The error buffer can quote the URL, which may be the credential itself.
    std::string error = redact_mentions(
        describe_failure(easy.get(), result, errbuf.data(), Duration{timeout_ms}, cut_by_deadline),
        channel.url);
    const bool permanent = result == CURLE_URL_MALFORMAT || result == CURLE_UNSUPPORTED_PROTOCOL;
    return {false, !permanent, std::move(error)};
  }
  long status = 0;
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return {true, false, ""};
  const std::string why = first_line(response);
  // Server trouble and throttling pass; any other answer (404 no_service, 403) stays the same.
  const bool transient = status >= 500 || status == 408 || status == 429;
  return {false, transient,
          why.empty() ? fmt::format("status {}", status) : fmt::format("status {}: {}", status, why)};
}

}  // namespace pm
