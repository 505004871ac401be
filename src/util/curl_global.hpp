#pragma once
// libcurl's process-wide set-up, done once and only when something is about
// to use curl. curl_global_init also initialises OpenSSL, which is most of
// the work of a run that makes no HTTP call at all (PM2 or systemd services
// without health URLs): measured in bench/RESULTS.md.
namespace pm {

// Runs curl_global_init once per process; never undone, since curl may be
// used until exit. Call it before any other curl call, while no other
// thread uses curl.
void ensure_curl_initialized();

}  // namespace pm
