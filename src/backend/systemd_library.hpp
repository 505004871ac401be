#pragma once
// libsystemd is opened when the systemd backend first connects (dlopen), not
// when the program starts: with the libraries it brings (libgcrypt, liblzma,
// libzstd, liblz4, libcap) it costs about 1 ms of every run, and most runs
// of a Docker or PM2 host never talk to systemd. Same scheme as libcurl's
// (util/curl_global.hpp): the sd_bus_* functions the backend calls are
// defined in systemd_library.cpp and forward to the loaded library; until it
// is loaded they fail with -ELIBACC or null.
#include <expected>
#include <string>

namespace pm {

// The soname opened: the ABI of Debian's libsystemd0.
inline constexpr const char* kSystemdSoname = "libsystemd.so.0";

// Opens libsystemd and resolves every sd-bus function the backend calls; the
// first call does it, later ones return its outcome. Thread-safe.
std::expected<void, std::string> ensure_sd_bus_loaded();

}  // namespace pm
