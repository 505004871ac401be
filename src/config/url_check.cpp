#include "config/url_check.hpp"

#include <curl/curl.h>

#include <cctype>
#include <memory>

#include <fmt/format.h>

#include "util/curl_global.hpp"

namespace pm {
namespace {

struct UrlHandleDeleter {
  void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
};

struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};

using CurlString = std::unique_ptr<char, CurlStringDeleter>;

CurlString get_part(CURLU* handle, CURLUPart part) {
  char* text = nullptr;
  if (curl_url_get(handle, part, &text, 0) != CURLUE_OK) return nullptr;
  return CurlString(text);
}

// libcurl's messages start with a capital ("Bad hostname"); ours continue a
// sentence.
std::string sentence_part(const char* text) {
  std::string out = text != nullptr ? text : "unknown error";
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

}  // namespace

std::expected<void, std::string> check_http_url(std::string_view url) {
  // libcurl takes a C string: an embedded NUL would silently cut the URL.
  if (url.find('\0') != std::string_view::npos) return std::unexpected("it contains a NUL character");
  // libcurl parses it as it will fetch it; without libcurl it cannot be checked (or probed).
  if (auto loaded = ensure_curl_loaded(); !loaded) return std::unexpected(loaded.error());
  std::unique_ptr<CURLU, UrlHandleDeleter> handle(curl_url());
  if (handle == nullptr) return std::unexpected("out of memory");
  // No CURLU_NON_SUPPORT_SCHEME and no default scheme: "localhost:3001/x" is
  // an error, not a guess.
  std::string text(url);
  CURLUcode code = curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0);
  if (code != CURLUE_OK) {
    std::string problem = sentence_part(curl_url_strerror(code));
    if (url.find("://") == std::string_view::npos) problem += " (did you forget 'http://'?)";
    return std::unexpected(problem);
  }
  CurlString scheme = get_part(handle.get(), CURLUPART_SCHEME);
  std::string_view scheme_text = scheme ? scheme.get() : "";
  if (scheme_text != "http" && scheme_text != "https") {
    return std::unexpected(fmt::format("scheme '{}' is not supported; use http or https", scheme_text));
  }
  CurlString host = get_part(handle.get(), CURLUPART_HOST);
  if (!host || *host == '\0') return std::unexpected("no host part in the URL");
  return {};
}

}  // namespace pm
