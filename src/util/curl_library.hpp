#pragma once
// Opening a libcurl with dlopen and checking it is one process-monitor can
// use. The process-wide one, behind the curl_* functions, is in
// curl_global.hpp; this is separate so tests can open other sonames.
#include <expected>
#include <string>

#include "util/dynamic_library.hpp"

namespace pm {

struct CurlApi;

// Opens `soname` (DynamicLibrary::open), resolves every curl function process-monitor calls into
// `api` and checks the library is libcurl 7.80 or newer. On failure the
// message names the library and what is wrong, and nothing stays loaded;
// on success the library stays open as long as the returned handle.
std::expected<DynamicLibrary, std::string> open_curl_library(const char* soname, CurlApi& api);

// open_curl_library on a scratch table, closed again: whether `soname` would do.
std::expected<void, std::string> probe_curl_library(const char* soname);

}  // namespace pm
