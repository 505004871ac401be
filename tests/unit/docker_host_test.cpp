#include "backend/docker_host.hpp"
#include "child_process.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

using Catch::Matchers::Contains;
using pm::DockerEndpoint;
using pm::DockerHostSettings;
using pm::resolve_docker_endpoint;

namespace {

// A temporary directory, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/pm-docker-host-XXXXXX";  // /tmp: a child running as nobody must get in
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  void write(const std::string& name, const std::string& text = "PEM") const {
    std::filesystem::create_directories(std::filesystem::path(path_ + "/" + name).parent_path());
    std::ofstream(path_ + "/" + name) << text;
  }
  // ca.pem, cert.pem and key.pem in `sub` (a subdirectory, or "" for this one).
  void write_certs(const std::string& sub = "") const {
    const std::string prefix = sub.empty() ? "" : sub + "/";
    for (const char* name : {"ca.pem", "cert.pem", "key.pem"}) write(prefix + name);
  }

 private:
  std::string path_;
};

DockerHostSettings with_host(std::string host) {
  DockerHostSettings settings;
  settings.config_host = std::move(host);
  return settings;
}

DockerEndpoint resolved(const DockerHostSettings& settings) {
  auto endpoint = resolve_docker_endpoint(settings);
  INFO((endpoint ? std::string("ok") : endpoint.error()));
  REQUIRE(endpoint.has_value());
  return *endpoint;
}

std::string rejected(const DockerHostSettings& settings) {
  auto endpoint = resolve_docker_endpoint(settings);
  REQUIRE_FALSE(endpoint.has_value());
  return endpoint.error();
}

// Every rejected host names the value, where it came from, and the accepted forms.
std::string rejected_host(const std::string& host) {
  std::string error = rejected(with_host(host));
  CHECK_THAT(error, Contains("'" + host + "'") && Contains("(from [docker] host)") &&
                        Contains("accepted forms: unix:///path/to/docker.sock"));
  return error;
}

// The error resolve_docker_endpoint gives in a child process running as nobody (uid 65534).
std::string error_as_nobody(const DockerHostSettings& settings) {
  return pm::test::in_child([&] {
    auto endpoint = resolve_docker_endpoint(settings);
    return endpoint ? std::string("resolved") : endpoint.error();
  });
}

}  // namespace

TEST_CASE("docker host: the default is the system socket", "[docker_host]") {
  DockerEndpoint endpoint = resolved({});
  CHECK(endpoint.kind == DockerEndpoint::Kind::UnixSocket);
  CHECK(endpoint.socket_path == "/var/run/docker.sock");
  CHECK(endpoint.shown == "unix:///var/run/docker.sock");
  CHECK(endpoint.base_url() == "http://localhost");
  CHECK_FALSE(endpoint.tls);

  DockerHostSettings empty_env;
  empty_env.env_host = "";  // `export DOCKER_HOST=` means unset, as for the docker CLI
  CHECK(resolved(empty_env).socket_path == "/var/run/docker.sock");
}

TEST_CASE("docker host: [docker] host beats DOCKER_HOST, which beats the default", "[docker_host]") {
  DockerHostSettings settings;
  settings.env_host = "unix:///env/docker.sock";
  CHECK(resolved(settings).socket_path == "/env/docker.sock");
  settings.config_host = "unix:///config/docker.sock";
  CHECK(resolved(settings).socket_path == "/config/docker.sock");
  CHECK(resolved(settings).shown == "unix:///config/docker.sock");
}

TEST_CASE("docker host: unix socket forms", "[docker_host]") {
  CHECK(resolved(with_host("unix:///run/docker.sock")).socket_path == "/run/docker.sock");
  DockerEndpoint bare = resolved(with_host("/run/user/1000/docker.sock"));
  CHECK(bare.kind == DockerEndpoint::Kind::UnixSocket);
  CHECK(bare.socket_path == "/run/user/1000/docker.sock");
  CHECK(bare.shown == "/run/user/1000/docker.sock");
  // 107 bytes is the most sun_path holds (with its NUL).
  const std::string longest = "/" + std::string(106, 's');
  CHECK(resolved(with_host("unix://" + longest)).socket_path == longest);
}

TEST_CASE("docker host: tcp forms and default ports", "[docker_host]") {
  DockerEndpoint endpoint = resolved(with_host("tcp://10.0.0.5:2375"));
  CHECK(endpoint.kind == DockerEndpoint::Kind::Tcp);
  CHECK(endpoint.host == "10.0.0.5");
  CHECK(endpoint.port == 2375);
  CHECK(endpoint.base_url() == "http://10.0.0.5:2375");
  CHECK(endpoint.shown == "tcp://10.0.0.5:2375");

  CHECK(resolved(with_host("tcp://docker.example")).port == 2375);
  CHECK(resolved(with_host("tcp://docker-1.example_lan:1")).port == 1);
  CHECK(resolved(with_host("tcp://docker.example:65535/")).port == 65535);
  CHECK(resolved(with_host("TCP://docker.example:4243")).port == 4243);

  DockerEndpoint ipv6 = resolved(with_host("tcp://[::1]:2376"));
  CHECK(ipv6.host == "::1");
  CHECK(ipv6.port == 2376);
  CHECK(ipv6.base_url() == "http://[::1]:2376");
  CHECK(resolved(with_host("tcp://[fe80::1%eth0]")).port == 2375);

  DockerHostSettings env;
  env.env_host = "tcp://engine:2375";
  CHECK(resolved(env).host == "engine");
}

TEST_CASE("docker host: TLS from the environment", "[docker_host]") {
  TempDir certs;
  certs.write_certs();
  DockerHostSettings settings;
  settings.env_host = "tcp://engine.example";
  settings.env_tls_verify = "1";
  settings.env_cert_path = certs.path().c_str();
  DockerEndpoint endpoint = resolved(settings);
  CHECK(endpoint.tls);
  CHECK(endpoint.tls_verify);
  CHECK(endpoint.port == 2376);
  CHECK(endpoint.base_url() == "https://engine.example:2376");
  CHECK(endpoint.ca_file == certs.path() + "/ca.pem");
  CHECK(endpoint.cert_file == certs.path() + "/cert.pem");
  CHECK(endpoint.key_file == certs.path() + "/key.pem");

  settings.env_host = "tcp://engine.example:3000";  // an explicit port stays
  CHECK(resolved(settings).port == 3000);

  settings.env_tls_verify = "yes";  // any value but "0"
  CHECK(resolved(settings).tls);
  settings.env_tls_verify = "0";
  CHECK_FALSE(resolved(settings).tls);
  settings.env_tls_verify = "";
  CHECK_FALSE(resolved(settings).tls);
}

TEST_CASE("docker host: config TLS settings beat the environment", "[docker_host]") {
  TempDir dir;
  dir.write_certs("config");
  DockerHostSettings settings;
  settings.config_host = "tcp://engine";
  settings.env_tls_verify = "1";
  settings.config_tls_verify = false;
  CHECK_FALSE(resolved(settings).tls);
  CHECK(resolved(settings).port == 2375);

  settings.config_tls_verify = true;
  settings.env_tls_verify = nullptr;
  settings.config_cert_path = dir.path() + "/config";
  settings.env_cert_path = "/nonexistent/env";  // not consulted: the config says where
  CHECK(resolved(settings).ca_file == dir.path() + "/config/ca.pem");
}

TEST_CASE("docker host: TLS certificates default to ~/.docker", "[docker_host]") {
  TempDir home;
  home.write_certs(".docker");
  DockerHostSettings settings;
  settings.config_host = "tcp://engine";
  settings.config_tls_verify = true;
  settings.home = home.path();
  CHECK(resolved(settings).key_file == home.path() + "/.docker/key.pem");

  settings.home = "";
  CHECK_THAT(rejected(settings),
             Contains("HOME is not set") && Contains("[docker] cert_path") && Contains("DOCKER_CERT_PATH"));
}

TEST_CASE("docker host: TLS is for tcp, a unix socket ignores it", "[docker_host]") {
  // dockerd serves TLS on its TCP listeners only.
  DockerHostSettings settings;
  settings.env_tls_verify = "1";
  settings.env_cert_path = "/nonexistent";
  DockerEndpoint endpoint = resolved(settings);
  CHECK_FALSE(endpoint.tls);
  CHECK(endpoint.ca_file.empty());
  CHECK(endpoint.base_url() == "http://localhost");
}

TEST_CASE("docker host: a missing or unusable certificate names the file and the setting", "[docker_host]") {
  TempDir dir;
  dir.write("ca.pem");
  dir.write("cert.pem");  // no key.pem
  DockerHostSettings settings;
  settings.env_host = "tcp://engine";
  settings.env_tls_verify = "1";
  settings.env_cert_path = dir.path().c_str();
  CHECK_THAT(rejected(settings), Contains(dir.path() + "/key.pem") && Contains("DOCKER_TLS_VERIFY") &&
                                     Contains("No such file or directory") &&
                                     Contains("set DOCKER_CERT_PATH"));

  settings.config_cert_path = dir.path();
  CHECK_THAT(rejected(settings), Contains("set [docker] cert_path"));

  std::filesystem::create_directory(dir.path() + "/key.pem");
  CHECK_THAT(rejected(settings), Contains(dir.path() + "/key.pem is not a file"));

  TempDir home;
  DockerHostSettings defaults;
  defaults.config_host = "tcp://engine";
  defaults.config_tls_verify = true;
  defaults.home = home.path();
  CHECK_THAT(rejected(defaults), Contains(home.path() + "/.docker/ca.pem") &&
                                     Contains("([docker] tls_verify)") &&
                                     Contains("[docker] cert_path or DOCKER_CERT_PATH"));
}

TEST_CASE("docker host: an unreadable certificate is named", "[docker_host]") {
  TempDir dir;
  dir.write_certs();
  REQUIRE(chmod(dir.path().c_str(), 0755) == 0);
  REQUIRE(chmod((dir.path() + "/cert.pem").c_str(), 0) == 0);
  DockerHostSettings settings;
  settings.config_host = "tcp://engine";
  settings.config_tls_verify = true;
  settings.config_cert_path = dir.path();
  // Root reads a mode-000 file: as root, resolve in a child running as nobody.
  const std::string error = geteuid() == 0 ? error_as_nobody(settings) : rejected(settings);
  CHECK_THAT(error, Contains(dir.path() + "/cert.pem cannot be read: Permission denied") &&
                        Contains("set [docker] cert_path"));
}

TEST_CASE("docker host: rejected schemes say why", "[docker_host]") {
  CHECK_THAT(rejected_host("ssh://me@engine"), Contains("ssh://") && Contains("unix:///tmp/docker.sock"));
  CHECK_THAT(rejected_host("npipe:////./pipe/docker_engine"), Contains("Windows"));
  CHECK_THAT(rejected_host("fd://"), Contains("systemd"));
  CHECK_THAT(rejected_host("http://engine:2375"), Contains("write tcp://host:port instead of http://"));
  CHECK_THAT(rejected_host("https://engine:2376"), Contains("DOCKER_TLS_VERIFY"));
  CHECK_THAT(rejected_host("gopher://engine"), Contains("unknown scheme 'gopher://'"));
  CHECK_THAT(rejected_host("docker.sock"), Contains("not a unix:// or tcp:// address"));
  CHECK_THAT(rejected_host("engine:2375"), Contains("not a unix:// or tcp:// address"));
  CHECK_THAT(rejected_host(""), Contains("empty"));
}

TEST_CASE("docker host: rejected unix socket paths", "[docker_host]") {
  CHECK_THAT(rejected_host("unix://"), Contains("missing socket path"));
  CHECK_THAT(rejected_host("unix://var/run/docker.sock"),
             Contains("'var/run/docker.sock' is not absolute") && Contains("three slashes"));
  const std::string too_long = "/" + std::string(107, 's');
  CHECK_THAT(rejected_host("unix://" + too_long), Contains("108 bytes long") && Contains("at most 107"));
  CHECK_THAT(rejected_host(too_long), Contains("at most 107"));
}

TEST_CASE("docker host: rejected tcp addresses", "[docker_host]") {
  CHECK_THAT(rejected_host("tcp://engine:"), Contains("missing port number"));
  CHECK_THAT(rejected_host("tcp://engine:0"), Contains("port '0' is not a number from 1 to 65535"));
  CHECK_THAT(rejected_host("tcp://engine:65536"), Contains("from 1 to 65535"));
  CHECK_THAT(rejected_host("tcp://engine:99999999999"), Contains("from 1 to 65535"));
  CHECK_THAT(rejected_host("tcp://engine:-1"), Contains("from 1 to 65535"));
  CHECK_THAT(rejected_host("tcp://engine:http"), Contains("port 'http'"));
  CHECK_THAT(rejected_host("tcp://:2375"), Contains("missing host name"));
  CHECK_THAT(rejected_host("tcp://"), Contains("missing host name"));
  CHECK_THAT(rejected_host("tcp://::1:2375"), Contains("needs brackets"));
  CHECK_THAT(rejected_host("tcp://[::1:2375"), Contains("missing ']'"));
  CHECK_THAT(rejected_host("tcp://[::1]2375"), Contains("unexpected '2375' after ']'"));
  CHECK_THAT(rejected_host("tcp://[engine]:2375"), Contains("not an IPv6 address"));
  CHECK_THAT(rejected_host("tcp://engine:2375/v1.41"), Contains("only a host and a port"));
  CHECK_THAT(rejected_host("tcp://me@engine:2375"), Contains("only a host and a port"));
  CHECK_THAT(rejected_host("tcp://engine:2375?x=1"), Contains("only a host and a port"));
  CHECK_THAT(rejected_host("tcp://engine*:2375"), Contains("'engine*' is not a host name or address"));
}

TEST_CASE("docker host: DOCKER_HOST is named as the source", "[docker_host]") {
  DockerHostSettings settings;
  settings.env_host = "ssh://engine";
  CHECK_THAT(rejected(settings), Contains("invalid Docker host 'ssh://engine' (from DOCKER_HOST)"));
}
