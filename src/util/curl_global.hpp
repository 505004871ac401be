#pragma once
// libcurl is opened when something first needs it (dlopen), not when the
// program starts. Debian's libcurl brings about 40 shared libraries (OpenSSL,
// GnuTLS, Kerberos, LDAP, ...) whose loading and relocation cost about 5 ms,
// more than all the rest of a healthy PM2 or systemd run (bench/RESULTS.md);
// a run with no HTTP call (no health URL, no Docker service, no webhook)
// never pays it. systemd opens its optional libraries the same way.
//
// The curl_* functions process-monitor calls are defined in
// curl_library.cpp and forward to the loaded library, so callers include
// <curl/curl.h> and call curl as usual, after one of the functions below has
// succeeded. Until then every forwarded call fails as curl fails (null
// handle, CURLE_FAILED_INIT, ...), and the *_strerror functions return the
// reason the library could not be loaded.
#include <expected>
#include <string>

namespace pm {

// The soname opened: the ABI of Debian's libcurl4, whose headers the build used.
inline constexpr const char* kCurlSoname = "libcurl.so.4";

// Opens libcurl and resolves every function process-monitor calls; the first
// call does it, later ones return its outcome. Thread-safe. Enough for the
// URL functions (curl_url_*) and curl_version_info.
std::expected<void, std::string> ensure_curl_loaded();

// ensure_curl_loaded, then curl_global_init once per process (never undone,
// since curl may be used until exit). Call it before any transfer, while no
// other thread uses curl. curl_global_init also initialises OpenSSL, so
// commands that only check URLs do not call it.
std::expected<void, std::string> ensure_curl_initialized();

}  // namespace pm
