// The curl_* functions process-monitor calls, defined here and forwarded to
// libcurl opened with dlopen (why: curl_global.hpp). The program is not
// linked with libcurl, so these are the only definitions the linker sees;
// they are not exported (no -rdynamic), so libcurl's calls to itself stay
// inside libcurl.
//
// To add a curl function: a member in CurlApi, its name in resolve_all, and
// a forwarding definition below.
#define CURL_DISABLE_TYPECHECK  // curl_easy_setopt and friends are defined here, not macros
#include "util/curl_library.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cstdarg>
#include <mutex>

#include "util/curl_global.hpp"
#include "util/dynamic_library.hpp"

namespace pm {

struct CurlApi {
  curl_version_info_data* (*version_info)(CURLversion) = nullptr;
  CURLcode (*global_init)(long) = nullptr;
  CURL* (*easy_init)() = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
  void (*free)(void*) = nullptr;
  CURLM* (*multi_init)() = nullptr;
  CURLMcode (*multi_cleanup)(CURLM*) = nullptr;
  CURLMcode (*multi_setopt)(CURLM*, CURLMoption, ...) = nullptr;
  CURLMcode (*multi_add_handle)(CURLM*, CURL*) = nullptr;
  CURLMcode (*multi_remove_handle)(CURLM*, CURL*) = nullptr;
  CURLMcode (*multi_socket_action)(CURLM*, curl_socket_t, int, int*) = nullptr;
  CURLMsg* (*multi_info_read)(CURLM*, int*) = nullptr;
  const char* (*multi_strerror)(CURLMcode) = nullptr;
  CURLU* (*url)() = nullptr;
  void (*url_cleanup)(CURLU*) = nullptr;
  CURLUcode (*url_set)(CURLU*, CURLUPart, const char*, unsigned int) = nullptr;
  CURLUcode (*url_get)(CURLU*, CURLUPart, char**, unsigned int) = nullptr;
  const char* (*url_strerror)(CURLUcode) = nullptr;
};

namespace {

// curl_url_strerror is the newest function used (7.80); the build requires
// 7.80 too (CMakeLists.txt).
constexpr unsigned kOldestVersion = 0x075000;

void resolve_all(DynamicLibrary& library, CurlApi& api) {
  library.resolve("curl_version_info", api.version_info);
  library.resolve("curl_global_init", api.global_init);
  library.resolve("curl_easy_init", api.easy_init);
  library.resolve("curl_easy_cleanup", api.easy_cleanup);
  library.resolve("curl_easy_setopt", api.easy_setopt);
  library.resolve("curl_easy_getinfo", api.easy_getinfo);
  library.resolve("curl_easy_perform", api.easy_perform);
  library.resolve("curl_easy_strerror", api.easy_strerror);
  library.resolve("curl_slist_append", api.slist_append);
  library.resolve("curl_slist_free_all", api.slist_free_all);
  library.resolve("curl_free", api.free);
  library.resolve("curl_multi_init", api.multi_init);
  library.resolve("curl_multi_cleanup", api.multi_cleanup);
  library.resolve("curl_multi_setopt", api.multi_setopt);
  library.resolve("curl_multi_add_handle", api.multi_add_handle);
  library.resolve("curl_multi_remove_handle", api.multi_remove_handle);
  library.resolve("curl_multi_socket_action", api.multi_socket_action);
  library.resolve("curl_multi_info_read", api.multi_info_read);
  library.resolve("curl_multi_strerror", api.multi_strerror);
  library.resolve("curl_url", api.url);
  library.resolve("curl_url_cleanup", api.url_cleanup);
  library.resolve("curl_url_set", api.url_set);
  library.resolve("curl_url_get", api.url_get);
  library.resolve("curl_url_strerror", api.url_strerror);
}

// The process-wide library.
LoadedOnce<CurlApi>& loaded() {
  static LoadedOnce<CurlApi> library(
      "libcurl was used before it was loaded (a missing ensure_curl_loaded call)");
  return library;
}

const CurlApi* api() { return loaded().api(); }

const char* load_error() { return loaded().error().c_str(); }

}  // namespace

std::expected<DynamicLibrary, std::string> open_curl_library(const char* soname, CurlApi& api) {
  auto library = DynamicLibrary::open(soname, "libcurl4");
  if (!library) return std::unexpected(library.error());
  CurlApi candidate;
  resolve_all(*library, candidate);
  if (!library->missing_function().empty()) {
    return std::unexpected(
        fmt::format("{} is not a usable libcurl: it has no {}", soname, library->missing_function()));
  }
  const curl_version_info_data* version = candidate.version_info(CURLVERSION_NOW);
  if (version == nullptr || version->version_num < kOldestVersion) {
    std::string found = version != nullptr && version->version != nullptr ? version->version : "unknown";
    return std::unexpected(
        fmt::format("{} is libcurl {}; process-monitor needs 7.80 or newer", soname, found));
  }
  api = candidate;
  return library;
}

std::expected<void, std::string> probe_curl_library(const char* soname) {
  CurlApi scratch;
  auto library = open_curl_library(soname, scratch);
  if (!library) return std::unexpected(library.error());
  return {};
}

std::expected<void, std::string> ensure_curl_loaded() {
  return loaded().ensure([](CurlApi& api) { return open_curl_library(kCurlSoname, api); });
}

std::expected<void, std::string> ensure_curl_initialized() {
  static std::once_flag once;
  static CURLcode init_result = CURLE_OK;
  if (auto opened = ensure_curl_loaded(); !opened) return opened;
  std::call_once(once, [] { init_result = api()->global_init(CURL_GLOBAL_DEFAULT); });
  if (init_result != CURLE_OK) {
    return std::unexpected(fmt::format("curl_global_init failed: {}", api()->easy_strerror(init_result)));
  }
  return {};
}

}  // namespace pm

// ---- the forwarding definitions --------------------------------------------
// Each fails the way libcurl itself fails when the library is not loaded.

namespace pm {
namespace {

// One argument follows the option; its type is given by the option's range,
// as in libcurl's own setopt (CURLOPTTYPE_* in curl.h). curl_multi_setopt's
// options use the same ranges.
template <typename Code, typename Handle, typename Option>
Code forward_option(Code (*call)(Handle, Option, ...), Handle handle, Option option, va_list args) {
  const long range = option;
  if (range < CURLOPTTYPE_OBJECTPOINT) return call(handle, option, va_arg(args, long));
  if (range >= CURLOPTTYPE_FUNCTIONPOINT && range < CURLOPTTYPE_OFF_T) {
    using AnyFunction = void (*)();
    return call(handle, option, va_arg(args, AnyFunction));
  }
  if (range >= CURLOPTTYPE_OFF_T && range < CURLOPTTYPE_BLOB)
    return call(handle, option, va_arg(args, curl_off_t));
  return call(handle, option, va_arg(args, void*));  // object, string, list, callback data, blob
}

}  // namespace

}  // namespace pm

using pm::api;
using pm::forward_option;

extern "C" {

CURLcode curl_global_init(long flags) { return api() ? api()->global_init(flags) : CURLE_FAILED_INIT; }

curl_version_info_data* curl_version_info(CURLversion age) {
  return api() ? api()->version_info(age) : nullptr;
}

CURL* curl_easy_init() { return api() ? api()->easy_init() : nullptr; }

void curl_easy_cleanup(CURL* curl) {
  if (api()) api()->easy_cleanup(curl);
}

CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
  if (!api()) return CURLE_FAILED_INIT;
  va_list args;
  va_start(args, option);
  CURLcode result = forward_option(api()->easy_setopt, curl, option, args);
  va_end(args);
  return result;
}

CURLMcode curl_multi_setopt(CURLM* multi, CURLMoption option, ...) {
  if (!api()) return CURLM_INTERNAL_ERROR;
  va_list args;
  va_start(args, option);
  CURLMcode result = forward_option(api()->multi_setopt, multi, option, args);
  va_end(args);
  return result;
}

// Every CURLINFO_* takes a pointer to where the answer goes.
CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
  if (!api()) return CURLE_FAILED_INIT;
  va_list args;
  va_start(args, info);
  void* where = va_arg(args, void*);
  va_end(args);
  return api()->easy_getinfo(curl, info, where);
}

CURLcode curl_easy_perform(CURL* curl) { return api() ? api()->easy_perform(curl) : CURLE_FAILED_INIT; }

const char* curl_easy_strerror(CURLcode code) {
  return api() ? api()->easy_strerror(code) : pm::load_error();
}

curl_slist* curl_slist_append(curl_slist* list, const char* text) {
  return api() ? api()->slist_append(list, text) : nullptr;
}

void curl_slist_free_all(curl_slist* list) {
  if (api()) api()->slist_free_all(list);
}

void curl_free(void* pointer) {
  if (api()) api()->free(pointer);
}

CURLM* curl_multi_init() { return api() ? api()->multi_init() : nullptr; }

CURLMcode curl_multi_cleanup(CURLM* multi) {
  return api() ? api()->multi_cleanup(multi) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_add_handle(CURLM* multi, CURL* curl) {
  return api() ? api()->multi_add_handle(multi, curl) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_remove_handle(CURLM* multi, CURL* curl) {
  return api() ? api()->multi_remove_handle(multi, curl) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_socket_action(CURLM* multi, curl_socket_t socket, int mask, int* running) {
  return api() ? api()->multi_socket_action(multi, socket, mask, running) : CURLM_INTERNAL_ERROR;
}

CURLMsg* curl_multi_info_read(CURLM* multi, int* left) {
  return api() ? api()->multi_info_read(multi, left) : nullptr;
}

const char* curl_multi_strerror(CURLMcode code) {
  return api() ? api()->multi_strerror(code) : pm::load_error();
}

CURLU* curl_url() { return api() ? api()->url() : nullptr; }

void curl_url_cleanup(CURLU* url) {
  if (api()) api()->url_cleanup(url);
}

CURLUcode curl_url_set(CURLU* url, CURLUPart part, const char* text, unsigned int flags) {
  return api() ? api()->url_set(url, part, text, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode curl_url_get(CURLU* url, CURLUPart part, char** text, unsigned int flags) {
  return api() ? api()->url_get(url, part, text, flags) : CURLUE_OUT_OF_MEMORY;
}

const char* curl_url_strerror(CURLUcode code) { return api() ? api()->url_strerror(code) : pm::load_error(); }

}  // extern "C"
