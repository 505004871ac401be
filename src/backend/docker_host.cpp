#include "backend/docker_host.hpp"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

namespace pm {
namespace {

constexpr std::string_view kDefaultHost = "unix:///var/run/docker.sock";
constexpr std::string_view kAcceptedForms =
    "unix:///path/to/docker.sock, /path/to/docker.sock, tcp://host:port, tcp://host, tcp://[ipv6]:port";
// sun_path holds the path and its terminating NUL: 107 usable bytes on Linux.
constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un{}.sun_path) - 1;

std::string invalid(std::string_view value, std::string_view source, std::string_view why) {
  return fmt::format("invalid Docker host '{}' (from {}): {}; accepted forms: {}", value, source, why,
                     kAcceptedForms);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Why a scheme other than unix:// and tcp:// is refused, with the way out.
std::string unsupported_scheme(std::string_view scheme) {
  if (scheme == "ssh") {
    return "ssh:// needs the docker CLI's ssh helper, which process-monitor does not have; forward the "
           "socket (ssh -L /tmp/docker.sock:/var/run/docker.sock host) and use unix:///tmp/docker.sock";
  }
  if (scheme == "npipe") return "npipe:// (named pipes) exists only on Windows";
  if (scheme == "fd") return "fd:// is dockerd's systemd socket activation, not an address a client can use";
  if (scheme == "http" || scheme == "https") {
    return fmt::format(
        "write tcp://host:port instead of {}://; TLS is turned on by [docker] tls_verify or "
        "DOCKER_TLS_VERIFY",
        scheme);
  }
  return fmt::format("unknown scheme '{}://'", scheme);
}

std::expected<DockerEndpoint, std::string> parse_unix(std::string_view value, std::string_view source,
                                                      std::string_view path) {
  if (path.empty()) return std::unexpected(invalid(value, source, "missing socket path"));
  if (path.front() != '/') {
    // "unix://var/run/docker.sock" (two slashes) is the usual slip.
    return std::unexpected(
        invalid(value, source,
                fmt::format("the socket path '{}' is not absolute (unix:// is followed by an absolute path: "
                            "unix:///var/run/docker.sock has three slashes)",
                            path)));
  }
  if (path.size() > kMaxSocketPath || path.find('\0') != std::string_view::npos) {
    return std::unexpected(invalid(value, source,
                                   fmt::format("the socket path is {} bytes long; a unix socket path can "
                                               "have at most {}",
                                               path.size(), kMaxSocketPath)));
  }
  DockerEndpoint endpoint;
  endpoint.kind = DockerEndpoint::Kind::UnixSocket;
  endpoint.socket_path = std::string(path);
  endpoint.shown = std::string(value);
  return endpoint;
}

bool valid_host_name(std::string_view host) {
  for (char c : host) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '.' && c != '_') return false;
  }
  return true;
}

bool valid_ipv6(std::string_view host) {
  for (char c : host) {
    // Hex digits, ':' and '.' (IPv4-mapped); '%' and letters for a zone id.
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != ':' && c != '.' && c != '%') return false;
  }
  return host.find(':') != std::string_view::npos;
}

std::expected<DockerEndpoint, std::string> parse_tcp(std::string_view value, std::string_view source,
                                                     std::string_view rest, bool tls) {
  if (rest.ends_with('/')) rest.remove_suffix(1);  // "tcp://host:2375/" is common in docs
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return std::unexpected(
        invalid(value, source, "only a host and a port go after tcp:// (no path, user name or query)"));
  }
  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (rest.starts_with('[')) {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return std::unexpected(invalid(value, source, "missing ']'"));
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      return std::unexpected(invalid(value, source, fmt::format("unexpected '{}' after ']'", after)));
    }
    has_port = !after.empty();
    if (has_port) port_text = after.substr(1);
    if (!valid_ipv6(host)) {
      return std::unexpected(invalid(value, source, fmt::format("'{}' is not an IPv6 address", host)));
    }
  } else {
    const std::size_t colon = rest.find(':');
    if (colon != std::string_view::npos && rest.find(':', colon + 1) != std::string_view::npos) {
      return std::unexpected(invalid(value, source, "an IPv6 address needs brackets: tcp://[::1]:2376"));
    }
    host = rest.substr(0, colon);
    has_port = colon != std::string_view::npos;
    if (has_port) port_text = rest.substr(colon + 1);
    if (!valid_host_name(host)) {
      return std::unexpected(invalid(value, source, fmt::format("'{}' is not a host name or address", host)));
    }
  }
  if (host.empty()) return std::unexpected(invalid(value, source, "missing host name"));

  int port = tls ? 2376 : 2375;
  if (has_port) {
    if (port_text.empty()) return std::unexpected(invalid(value, source, "missing port number after ':'"));
    const bool digits = port_text.size() <= 5 && std::ranges::all_of(port_text, [](char c) {
                          return std::isdigit(static_cast<unsigned char>(c)) != 0;
                        });
    port = digits ? std::stoi(std::string(port_text)) : 0;
    if (port < 1 || port > 65535) {
      return std::unexpected(
          invalid(value, source, fmt::format("port '{}' is not a number from 1 to 65535", port_text)));
    }
  }
  DockerEndpoint endpoint;
  endpoint.kind = DockerEndpoint::Kind::Tcp;
  endpoint.host = std::string(host);
  endpoint.port = port;
  endpoint.shown = std::string(value);
  return endpoint;
}

std::expected<DockerEndpoint, std::string> parse_host(std::string_view value, std::string_view source,
                                                      bool tls) {
  if (value.empty()) return std::unexpected(invalid(value, source, "empty"));
  if (value.front() == '/') return parse_unix(value, source, value);
  const std::size_t separator = value.find("://");
  if (separator == std::string_view::npos) {
    return std::unexpected(invalid(value, source, "not a unix:// or tcp:// address, nor an absolute path"));
  }
  const std::string scheme = lower(value.substr(0, separator));
  const std::string_view rest = value.substr(separator + 3);
  if (scheme == "unix") return parse_unix(value, source, rest);
  if (scheme == "tcp") return parse_tcp(value, source, rest, tls);
  return std::unexpected(invalid(value, source, unsupported_scheme(scheme)));
}

// Checks that `file` can be read; the message says which setting points at it.
std::expected<void, std::string> check_cert_file(const std::string& file, std::string_view tls_source,
                                                 std::string_view fix) {
  struct stat info {};
  if (stat(file.c_str(), &info) != 0) {
    const int error = errno;
    return std::unexpected(fmt::format("TLS to the Docker engine is on ({}) but {} cannot be used: {}; {}",
                                       tls_source, file, std::generic_category().message(error), fix));
  }
  if (!S_ISREG(info.st_mode)) {
    return std::unexpected(
        fmt::format("TLS to the Docker engine is on ({}) but {} is not a file; {}", tls_source, file, fix));
  }
  if (access(file.c_str(), R_OK) != 0) {
    const int error = errno;
    return std::unexpected(fmt::format("TLS to the Docker engine is on ({}) but {} cannot be read: {}; {}",
                                       tls_source, file, std::generic_category().message(error), fix));
  }
  return {};
}

}  // namespace

std::string DockerEndpoint::base_url() const {
  if (kind == Kind::UnixSocket) return "http://localhost";  // the host is not used, only the Host header
  const bool ipv6 = host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}", tls ? "https" : "http", ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);
}

std::expected<DockerEndpoint, std::string> resolve_docker_endpoint(const DockerHostSettings& settings) {
  // TLS first: it decides the default TCP port.
  bool tls_verify = false;
  std::string_view tls_source;
  if (settings.config_tls_verify) {
    tls_verify = *settings.config_tls_verify;
    tls_source = "[docker] tls_verify";
  } else if (settings.env_tls_verify != nullptr && *settings.env_tls_verify != '\0') {
    // As the docker CLI reads it: set means on; "0" is accepted as off, since people write it.
    tls_verify = std::string_view(settings.env_tls_verify) != "0";
    tls_source = "DOCKER_TLS_VERIFY";
  }

  // An empty DOCKER_HOST is unset, as for the docker CLI; an empty [docker] host is a mistake.
  std::expected<DockerEndpoint, std::string> endpoint;
  if (settings.config_host) {
    endpoint = parse_host(*settings.config_host, "[docker] host", tls_verify);
  } else if (settings.env_host != nullptr && *settings.env_host != '\0') {
    endpoint = parse_host(settings.env_host, "DOCKER_HOST", tls_verify);
  } else {
    endpoint = parse_host(kDefaultHost, "the default", tls_verify);
  }
  // TLS is for TCP: a local socket is already protected by its file permissions, and a
  // DOCKER_TLS_VERIFY left in the environment for a remote engine must not break it.
  if (!endpoint || !tls_verify || endpoint->kind != DockerEndpoint::Kind::Tcp) return endpoint;

  std::string cert_path;
  std::string fix;
  if (settings.config_cert_path && !settings.config_cert_path->empty()) {
    cert_path = *settings.config_cert_path;
    fix = "set [docker] cert_path to the directory that holds ca.pem, cert.pem and key.pem";
  } else if (settings.env_cert_path != nullptr && *settings.env_cert_path != '\0') {
    cert_path = settings.env_cert_path;
    fix = "set DOCKER_CERT_PATH to the directory that holds ca.pem, cert.pem and key.pem";
  } else {
    if (settings.home.empty()) {
      return std::unexpected(fmt::format(
          "TLS to the Docker engine is on ({}) but HOME is not set, so the default ~/.docker cannot be "
          "found; set [docker] cert_path or DOCKER_CERT_PATH to the directory that holds ca.pem, cert.pem "
          "and key.pem",
          tls_source));
    }
    cert_path = settings.home + "/.docker";
    fix =
        "put ca.pem, cert.pem and key.pem there, or set [docker] cert_path or DOCKER_CERT_PATH to their "
        "directory";
  }
  while (cert_path.size() > 1 && cert_path.back() == '/') cert_path.pop_back();

  endpoint->tls = true;
  endpoint->tls_verify = true;
  endpoint->ca_file = cert_path + "/ca.pem";
  endpoint->cert_file = cert_path + "/cert.pem";
  endpoint->key_file = cert_path + "/key.pem";
  for (const std::string* file : {&endpoint->ca_file, &endpoint->cert_file, &endpoint->key_file}) {
    if (auto ok = check_cert_file(*file, tls_source, fix); !ok) return std::unexpected(ok.error());
  }
  return endpoint;
}

}  // namespace pm
