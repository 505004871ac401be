#include "backend/docker_engine_client.hpp"

#include <curl/curl.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <memory>
#include <new>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/curl_global.hpp"
#include "util/duration.hpp"

// CMake defines it for the library; a fallback keeps stand-alone builds working.
#ifndef PM_VERSION
#define PM_VERSION "dev"
#endif

namespace pm {
namespace {

// Enough for `docker ps` on a host with tens of thousands of containers; past it
// something is wrong, and holding more would only hide that.
constexpr std::size_t kBodyCap = 64 * 1024 * 1024;

static_assert(kMinDockerApiVersion == "1.24", "update the Docker release named in the 'older than' message");

// What one transfer collects; the curl callbacks get a pointer to it.
struct Transfer {
  std::string body{};
  bool capped = false;                 // stopped at kBodyCap on purpose
  std::string* api_version = nullptr;  // receives the API-Version header when not null
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (bytes > kBodyCap - transfer->body.size()) {
    transfer->capped = true;
    return 0;  // less than given: curl stops with CURLE_WRITE_ERROR
  }
  try {
    transfer->body.append(data, bytes);
  } catch (const std::bad_alloc&) {
    return 0;  // must not unwind through libcurl
  }
  return bytes;
}

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// curl passes every header line of every response, status lines included.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (transfer->api_version == nullptr) return bytes;
  const std::string_view line(data, bytes);
  constexpr std::string_view kName = "api-version:";  // header names are case-insensitive
  try {
    if (line.starts_with("HTTP/")) transfer->api_version->clear();  // a new response (after a 1xx)
    if (line.size() > kName.size() && strncasecmp(line.data(), kName.data(), kName.size()) == 0) {
      *transfer->api_version = trim(line.substr(kName.size()));
    }
  } catch (const std::bad_alloc&) {
    return 0;
  }
  return bytes;
}

// Numeric components of "1.41"; empty when malformed.
std::vector<unsigned long> version_parts(std::string_view version) {
  std::vector<unsigned long> parts;
  while (true) {
    unsigned long part = 0;
    auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), part);
    if (ec != std::errc{}) return {};
    parts.push_back(part);
    version.remove_prefix(static_cast<std::size_t>(end - version.data()));
    if (version.empty()) return parts;
    if (version.front() != '.') return {};
    version.remove_prefix(1);
  }
}

// The value of a top-level string field of a JSON object; empty otherwise.
std::string json_string_field(std::string_view body, const char* key) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return {};  // a parse error gives a "discarded" value, not an object
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A local socket's connect failures, each with what to do about it.
std::string socket_connect_error(const std::string& path, long os_error, std::string_view curl_words) {
  constexpr std::string_view kElsewhere = "set [docker] host or DOCKER_HOST if it listens elsewhere";
  switch (os_error) {
    case ENOENT:
      return fmt::format("no Docker engine socket at {} (is dockerd running? {})", path, kElsewhere);
    case EACCES:
      return fmt::format(
          "permission denied on {}: run as root or add the user to the 'docker' group; "
          "a rootless engine listens on /run/user/{}/docker.sock",
          path, getuid());
    case ECONNREFUSED:
      // The file is there but nobody listens: dockerd died or stopped without removing it.
      return fmt::format(
          "the Docker engine socket {} refuses connections: a stale socket, dockerd is "
          "not running (start it, or {})",
          path, kElsewhere);
    default:
      return fmt::format("cannot connect to the Docker engine socket {}: {}", path,
                         os_error != 0 ? std::generic_category().message(static_cast<int>(os_error))
                                       : std::string(curl_words));
  }
}

std::string describe_failure(const DockerEndpoint& endpoint, CURLcode result, long os_error,
                             std::string_view detail, Duration budget) {
  const std::string words = detail.empty() ? curl_easy_strerror(result) : std::string(detail);
  const std::string& where = endpoint.shown;
  const bool unix_socket = endpoint.kind == DockerEndpoint::Kind::UnixSocket;
  switch (result) {
    case CURLE_COULDNT_CONNECT:
      // Only here is CURLINFO_OS_ERRNO this call's: curl 7.88 does not reset it between transfers.
      if (unix_socket) return socket_connect_error(endpoint.socket_path, os_error, words);
      if (os_error == ECONNREFUSED) {
        return fmt::format(
            "the Docker engine at {} refused the connection (is dockerd listening on port {}?)", where,
            endpoint.port);
      }
      return fmt::format("cannot connect to the Docker engine at {}: {}", where, words);
    case CURLE_OPERATION_TIMEDOUT:
      return fmt::format("the Docker engine at {} did not answer within {}", where, format_duration(budget));
    case CURLE_COULDNT_RESOLVE_HOST:
      return fmt::format("cannot resolve the Docker host '{}' ({}): {}", endpoint.host, where, words);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      return fmt::format(
          "TLS with the Docker engine at {} failed: {} (check ca.pem, cert.pem and key.pem "
          "in [docker] cert_path or DOCKER_CERT_PATH)",
          where, words);
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      // An engine that rejects our client certificate ends the handshake with
      // an alert, which curl reports while reading.
      if (endpoint.tls) {
        return fmt::format(
            "TLS with the Docker engine at {} failed: {} (the engine may reject the client certificate: "
            "check cert.pem and key.pem in [docker] cert_path or DOCKER_CERT_PATH)",
            where, words);
      }
      return fmt::format("cannot talk to the Docker engine at {}: {}", where, words);
    case CURLE_PARTIAL_FILE:
      return fmt::format("the Docker engine at {} cut its answer short: {}", where, words);
    case CURLE_GOT_NOTHING:
      // Plain HTTP to a TLS port gets this.
      return fmt::format("the Docker engine at {} closed the connection without answering{}", where,
                         unix_socket || endpoint.tls ? "" : " (if it expects TLS, set [docker] tls_verify)");
    default: return fmt::format("cannot talk to the Docker engine at {}: {}", where, words);
  }
}

}  // namespace

int compare_api_versions(std::string_view a, std::string_view b) {
  const std::vector<unsigned long> left = version_parts(a);
  const std::vector<unsigned long> right = version_parts(b);
  // Missing components are 0, so "1" == "1.0" and a malformed version is 0.0.
  for (std::size_t i = 0; i < std::max(left.size(), right.size()); ++i) {
    const unsigned long x = i < left.size() ? left[i] : 0;
    const unsigned long y = i < right.size() ? right[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

std::string engine_error_message(std::string_view body) {
  if (std::string message = json_string_field(body, "message"); !message.empty()) return message;
  std::string_view text = trim(body);
  if (text.size() > 300) {
    std::size_t cut = 300;
    // Do not split a UTF-8 sequence: back up over continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  return std::string(text);
}

DockerEngineClient::DockerEngineClient(DockerEndpoint endpoint) : endpoint_(std::move(endpoint)) {
  // As in HttpProber: once, before any other curl call; never undone.
  if (auto ready = ensure_curl_initialized(); !ready) {
    curl_error_ = ready.error();
    return;
  }
  curl_ = curl_easy_init();  // null is reported by each call
  if (curl_ == nullptr) curl_error_ = "curl_easy_init failed";
}

DockerEngineClient::~DockerEngineClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::expected<std::string, std::string> DockerEngineClient::api_version(Deadline deadline) {
  if (!api_version_.empty()) return api_version_;
  // /_ping is unversioned on purpose: it is how the version is learned.
  std::string engine;
  auto ping = request("GET", "/_ping", deadline, &engine);
  if (!ping) return std::unexpected(ping.error());
  const std::string not_docker =
      fmt::format("the server at {} does not look like a Docker engine", endpoint_.shown);
  if (engine.empty()) {
    // Engines before API 1.25 (Docker 1.13) send no API-Version header; /version has it on all of them.
    auto version = request("GET", "/version", deadline, nullptr);
    if (!version) return std::unexpected(version.error());
    if (version->status == 200) engine = json_string_field(version->body, "ApiVersion");
    if (engine.empty()) {
      // dockerd answers plain HTTP on its TLS port with 400 "Client sent an
      // HTTP request to an HTTPS server".
      bool wants_tls = ping->status == 400 && ping->body.find("HTTPS") != std::string::npos;
      return std::unexpected(fmt::format(
          "{} (no API-Version header on /_ping, which answered {}; no "
          "ApiVersion on /version, which answered {}){}",
          not_docker, ping->status, version->status,
          wants_tls ? "; it expects TLS: set [docker] tls_verify = true (or DOCKER_TLS_VERIFY=1)" : ""));
    }
  }
  if (version_parts(engine).size() < 2) {
    return std::unexpected(fmt::format("{} (API version '{}' is not like \"1.41\")", not_docker, engine));
  }
  if (compare_api_versions(engine, kMinDockerApiVersion) < 0) {
    return std::unexpected(
        fmt::format("the Docker engine at {} speaks API {}, older than {} (Docker 1.12); upgrade it",
                    endpoint_.shown, engine, kMinDockerApiVersion));
  }
  // A newer engine still serves older versions: ask for the newest one we know.
  const bool newer = compare_api_versions(engine, kMaxDockerApiVersion) > 0;
  api_version_ = newer ? std::string(kMaxDockerApiVersion) : engine;
  return api_version_;
}

std::expected<EngineResponse, std::string> DockerEngineClient::get(std::string_view path, Deadline deadline) {
  auto version = api_version(deadline);
  if (!version) return std::unexpected(version.error());
  return request("GET", fmt::format("/v{}{}", *version, path), deadline, nullptr);
}

std::expected<EngineResponse, std::string> DockerEngineClient::post(std::string_view path,
                                                                    Deadline deadline) {
  auto version = api_version(deadline);
  if (!version) return std::unexpected(version.error());
  return request("POST", fmt::format("/v{}{}", *version, path), deadline, nullptr);
}

std::expected<EngineResponse, std::string> DockerEngineClient::request(const char* method,
                                                                       const std::string& path_with_version,
                                                                       Deadline deadline,
                                                                       std::string* api_version_header) {
  CURL* curl = static_cast<CURL*>(curl_);
  const std::string& where = endpoint_.shown;
  if (curl == nullptr) {
    return std::unexpected(fmt::format("cannot call the Docker engine at {}: {}", where, curl_error_));
  }
  const Duration budget = deadline.remaining();
  if (budget <= Duration::zero()) {
    return std::unexpected(fmt::format("deadline reached before calling the Docker engine at {}", where));
  }
  // 0 would mean "no timeout": only Deadline::never() gets it.
  const long timeout_ms = budget == Duration::max() ? 0L : std::max(1L, static_cast<long>(budget.count()));
  const bool post = std::string_view(method) == "POST";
  Transfer transfer{.api_version = api_version_header};
  if (api_version_header != nullptr) api_version_header->clear();
  std::array<char, CURL_ERROR_SIZE> errbuf{};
  // curl would label an empty POST as a form; the engine wants no body and no type.
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      post ? curl_slist_append(nullptr, "Content-Type:") : nullptr, &curl_slist_free_all);
  const std::string url = endpoint_.base_url() + path_with_version;

  // Options are set on every call, pointing at this call's locals; the handle (and
  // so its kept-alive connection) is what lasts between calls.
  CURLcode rc = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, option, value);
  };
  set(CURLOPT_URL, url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  if (endpoint_.kind == DockerEndpoint::Kind::UnixSocket) {
    set(CURLOPT_UNIX_SOCKET_PATH, endpoint_.socket_path.c_str());  // the URL's host is then only a name
  }
  set(CURLOPT_PROXY, "");     // http_proxy & co. must not reroute calls to the engine
  set(CURLOPT_NOSIGNAL, 1L);  // no SIGALRM from the resolver
  set(CURLOPT_TIMEOUT_MS, timeout_ms);
  set(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  set(CURLOPT_USERAGENT, "process-monitor/" PM_VERSION);
  if (endpoint_.tls) {
    if (!endpoint_.ca_file.empty()) set(CURLOPT_CAINFO, endpoint_.ca_file.c_str());
    if (!endpoint_.cert_file.empty()) set(CURLOPT_SSLCERT, endpoint_.cert_file.c_str());
    if (!endpoint_.key_file.empty()) set(CURLOPT_SSLKEY, endpoint_.key_file.c_str());
    set(CURLOPT_SSL_VERIFYPEER, endpoint_.tls_verify ? 1L : 0L);
    set(CURLOPT_SSL_VERIFYHOST, endpoint_.tls_verify ? 2L : 0L);
  }
  if (post) {
    set(CURLOPT_POSTFIELDSIZE, 0L);
    set(CURLOPT_POSTFIELDS, "");  // implies POST
  } else {
    set(CURLOPT_HTTPGET, 1L);  // undoes an earlier POST on this handle
  }
  set(CURLOPT_HTTPHEADER, headers.get());
  set(CURLOPT_WRITEFUNCTION, &on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&transfer));
  set(CURLOPT_HEADERFUNCTION, &on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&transfer));
  set(CURLOPT_ERRORBUFFER, errbuf.data());
  const CURLcode result = rc == CURLE_OK ? curl_easy_perform(curl) : rc;

  long os_error = 0;
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_error);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  // Leave no pointer to this call's locals in the handle.
  for (CURLoption option : {CURLOPT_ERRORBUFFER, CURLOPT_HTTPHEADER, CURLOPT_WRITEDATA, CURLOPT_HEADERDATA}) {
    curl_easy_setopt(curl, option, nullptr);
  }
  if (rc != CURLE_OK) {
    return std::unexpected(
        fmt::format("cannot set up a call to the Docker engine at {}: {}", where, curl_easy_strerror(rc)));
  }
  if (result == CURLE_WRITE_ERROR && transfer.capped) {
    return std::unexpected(
        fmt::format("the Docker engine at {} sent more than 64 MiB for {} {}; stopped reading", where, method,
                    path_with_version));
  }
  if (result != CURLE_OK) {
    return std::unexpected(describe_failure(endpoint_, result, os_error, errbuf.data(), budget));
  }
  return EngineResponse{status, std::move(transfer.body)};
}

}  // namespace pm
