// libcurl and libsystemd are opened with dlopen on first use and reached
// through forwarding definitions (src/util/curl_library.cpp,
// src/backend/systemd_library.cpp). These tests open real and wrong
// libraries, and check that each kind of argument the variadic curl
// functions take reaches libcurl intact.
#include <systemd/sd-bus.h>

#include <curl/curl.h>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <memory>
#include <string>

#include "backend/systemd_library.hpp"
#include "loopback_http_server.hpp"
#include "util/curl_global.hpp"
#include "util/curl_library.hpp"
#include "util/dynamic_library.hpp"

namespace pm {
namespace {

using test::LoopbackHttpServer;
using test::Route;

TEST_CASE("dynamic libraries: the installed libcurl opens and has every function used") {
  CHECK(probe_curl_library(kCurlSoname).has_value());
  REQUIRE(ensure_curl_initialized().has_value());
  // The loaded library answers: the version the program reports is its own.
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  REQUIRE(info != nullptr);
  CHECK(info->version_num >= 0x075000);
}

TEST_CASE("dynamic libraries: a library that is not there is named, with the package to install") {
  auto opened = probe_curl_library("libpm-test-no-such-library.so.4");
  REQUIRE_FALSE(opened.has_value());
  CHECK_THAT(opened.error(), Catch::Contains("cannot load libpm-test-no-such-library.so.4"));
  CHECK_THAT(opened.error(), Catch::Contains("libcurl4 package"));
}

TEST_CASE("dynamic libraries: a library that is not libcurl is refused by the first function it lacks") {
  auto opened = probe_curl_library("libz.so.1");
  REQUIRE_FALSE(opened.has_value());
  CHECK(opened.error() == "libz.so.1 is not a usable libcurl: it has no curl_version_info");
}

TEST_CASE("dynamic libraries: DynamicLibrary remembers the first missing function") {
  auto library = DynamicLibrary::open("libz.so.1", "zlib1g");
  REQUIRE(library.has_value());
  const char* (*version)() = nullptr;
  int (*absent)() = nullptr;
  int (*also_absent)() = nullptr;
  library->resolve("zlibVersion", version);
  CHECK(library->missing_function().empty());
  library->resolve("pm_test_absent", absent);
  library->resolve("pm_test_also_absent", also_absent);
  CHECK(absent == nullptr);
  CHECK(library->missing_function() == "pm_test_absent");
  REQUIRE(version != nullptr);
  CHECK(std::string(version()).starts_with("1."));
}

size_t collect(char* data, size_t size, size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};

// curl_easy_setopt's argument is a long, an object pointer, a function
// pointer or a curl_off_t, by the option's range; curl_easy_getinfo's is a
// pointer. Each kind is used here and its effect observed.
TEST_CASE("dynamic libraries: every kind of curl_easy_setopt argument reaches libcurl") {
  REQUIRE(ensure_curl_initialized().has_value());
  LoopbackHttpServer server;
  server.set_route("/body", Route{.status = 200, .body = std::string(100, 'x')});
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  REQUIRE(easy != nullptr);
  std::string body;
  const std::string url = server.url("/body");
  REQUIRE(curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str()) == CURLE_OK);         // object pointer
  REQUIRE(curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, &collect) == CURLE_OK);  // function pointer
  REQUIRE(curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &body) == CURLE_OK);         // object pointer
  REQUIRE(curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS, 5000L) == CURLE_OK);        // long
  REQUIRE(curl_easy_setopt(easy.get(), CURLOPT_PROXY, "") == CURLE_OK);

  SECTION("a transfer within the size limit (curl_off_t) delivers the body to the callback") {
    REQUIRE(curl_easy_setopt(easy.get(), CURLOPT_MAXFILESIZE_LARGE, curl_off_t{1000}) == CURLE_OK);
    REQUIRE(curl_easy_perform(easy.get()) == CURLE_OK);
    CHECK(body == std::string(100, 'x'));
    long status = 0;
    REQUIRE(curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status) == CURLE_OK);
    CHECK(status == 200);
    curl_off_t downloaded = 0;
    REQUIRE(curl_easy_getinfo(easy.get(), CURLINFO_SIZE_DOWNLOAD_T, &downloaded) == CURLE_OK);
    CHECK(downloaded == 100);
  }
  SECTION("a size limit (curl_off_t) below the body stops the transfer") {
    REQUIRE(curl_easy_setopt(easy.get(), CURLOPT_MAXFILESIZE_LARGE, curl_off_t{10}) == CURLE_OK);
    CHECK(curl_easy_perform(easy.get()) == CURLE_FILESIZE_EXCEEDED);
    CHECK(body.empty());
  }
  SECTION("an option libcurl does not know is refused by libcurl, not here") {
    CHECK(curl_easy_setopt(easy.get(), static_cast<CURLoption>(9999), 1L) == CURLE_UNKNOWN_OPTION);
    CHECK(std::string(curl_easy_strerror(CURLE_UNKNOWN_OPTION)).find("nknown option") != std::string::npos);
  }
}

TEST_CASE("dynamic libraries: the installed libsystemd opens and its functions answer") {
  REQUIRE(ensure_sd_bus_loaded().has_value());
  char* path = nullptr;
  REQUIRE(sd_bus_path_encode("/org/freedesktop/systemd1/unit", "web.service", &path) >= 0);
  std::unique_ptr<char, decltype(&std::free)> owned(path, &std::free);
  CHECK(std::string(path) == "/org/freedesktop/systemd1/unit/web_2eservice");
}

}  // namespace
}  // namespace pm
