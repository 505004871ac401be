#pragma once
// Where the Docker engine listens, as the docker CLI understands it:
// [docker] host in the config, else $DOCKER_HOST, else
// unix:///var/run/docker.sock; TLS from [docker] tls_verify / cert_path,
// else $DOCKER_TLS_VERIFY / $DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem).
#include <expected>
#include <optional>
#include <string>

namespace pm {

struct DockerEndpoint {
  enum class Kind { UnixSocket, Tcp };
  Kind kind = Kind::UnixSocket;
  std::string socket_path;                   // Kind::UnixSocket: /var/run/docker.sock
  std::string host;                          // Kind::Tcp: host name or address (IPv6 without brackets)
  int port = 2375;                           // Kind::Tcp
  bool tls = false;                          // https to the engine
  bool tls_verify = false;                   // verify the engine's certificate against ca_file
  std::string ca_file, cert_file, key_file;  // empty when not used
  std::string shown;  // as the user wrote it, for messages: "unix:///var/run/docker.sock"

  // The base URL libcurl is given: "http://localhost" for a unix socket,
  // "https://host:2376" for TLS.
  std::string base_url() const;
};

// Settings as they come from config and environment (null/empty = unset).
struct DockerHostSettings {
  std::optional<std::string> config_host;       // [docker] host
  std::optional<bool> config_tls_verify;        // [docker] tls_verify
  std::optional<std::string> config_cert_path;  // [docker] cert_path
  const char* env_host = nullptr;               // DOCKER_HOST
  const char* env_tls_verify = nullptr;         // DOCKER_TLS_VERIFY (any non-empty value but "0" enables)
  const char* env_cert_path = nullptr;          // DOCKER_CERT_PATH
  std::string home;                             // for the default cert path ~/.docker
};

// Resolves the endpoint. Accepted host forms: "unix:///path", "/path" (a
// bare socket path), "tcp://host:port", "tcp://host" (2375, or 2376 with
// TLS), "tcp://[::1]:2376". Unexpected: any other form ("ssh://",
// "npipe://", missing port number, junk), with a message naming the value,
// where it came from, and the accepted forms.
std::expected<DockerEndpoint, std::string> resolve_docker_endpoint(const DockerHostSettings& settings);

}  // namespace pm
