#pragma once
// HTTP to the Docker Engine API over its unix socket or TCP (+TLS), with
// libcurl and a deadline on every call. Negotiates the API version once
// (GET /_ping, header API-Version) and prefixes every path with it.
#include <expected>
#include <string>
#include <string_view>

#include "backend/docker_host.hpp"
#include "util/deadline.hpp"

namespace pm {

struct EngineResponse {
  long status = 0;   // HTTP status
  std::string body;  // capped at 64 MiB
};

// The API versions process-monitor speaks: it uses the engine's version,
// capped at kMaxApiVersion; an engine below kMinApiVersion is refused.
inline constexpr std::string_view kMinDockerApiVersion = "1.24";  // Docker 1.12: healthchecks
// The newest the parsers were checked against is 1.41 (Docker 20.10); the
// fields they read have not changed since 1.24, and Docker 29 refuses
// anything below 1.44, so newer engines are spoken to in their own version
// up to this cap.
inline constexpr std::string_view kMaxDockerApiVersion = "1.51";  // Docker 28

// Compares "1.41"-style versions: <0, 0, >0. Malformed versions compare as 0.0.
int compare_api_versions(std::string_view a, std::string_view b);

// The message inside an Engine API error body ({"message": "..."}), or the
// body itself (trimmed, at most 300 characters) when it is not such JSON.
std::string engine_error_message(std::string_view body);

class DockerEngineClient {
 public:
  explicit DockerEngineClient(DockerEndpoint endpoint);
  ~DockerEngineClient();
  DockerEngineClient(const DockerEngineClient&) = delete;
  DockerEngineClient& operator=(const DockerEngineClient&) = delete;

  // GET/POST `path` (e.g. "/containers/json?all=1"), prefixed with the
  // negotiated version ("/v1.41"). The call ends by `deadline`. Any HTTP
  // status is a response; unexpected is for transport failures only, with
  // a message that names the endpoint and the fix:
  //   socket missing   -> "no Docker engine socket at /var/run/docker.sock (is dockerd running? ...)"
  //   EACCES           -> "permission denied on /var/run/docker.sock: run as root or add the user to the
  //   'docker' group; a rootless engine listens on /run/user/UID/docker.sock" refused / timeout / TLS /
  //   engine too old ...
  std::expected<EngineResponse, std::string> get(std::string_view path, Deadline deadline);
  std::expected<EngineResponse, std::string> post(std::string_view path, Deadline deadline);

  // The negotiated version ("1.41"); negotiates on first use. Exposed for
  // tests and --version-like reports.
  std::expected<std::string, std::string> api_version(Deadline deadline);

  const DockerEndpoint& endpoint() const { return endpoint_; }

 private:
  std::expected<EngineResponse, std::string> request(const char* method, const std::string& path_with_version,
                                                     Deadline deadline, std::string* api_version_header);

  DockerEndpoint endpoint_;
  std::string api_version_;  // empty until negotiated
  void* curl_ = nullptr;     // CURL*, reused so the connection is kept alive
  std::string curl_error_;   // why curl_ is null
};

}  // namespace pm
