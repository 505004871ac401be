#include "util/curl_global.hpp"

#include <curl/curl.h>

#include <mutex>

namespace pm {

void ensure_curl_initialized() {
  static std::once_flag initialized;
  std::call_once(initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace pm
