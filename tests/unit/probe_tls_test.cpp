// Health probes over TLS and redirects: verification on by default, a CA
// bundle or insecure = true to accept a self-signed server (served by
// `openssl s_server`, started here as a child with an argv), and redirects
// followed only when asked, to http and https only, a bounded number of times.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "captured_log.hpp"
#include "config/load_config.hpp"
#include "loopback_http_server.hpp"
#include "probe/http_prober.hpp"
#include "probe/tls_warning.hpp"
#include "rotate_fixtures.hpp"
#include "util/exec.hpp"

namespace pm {
namespace {

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using test::LoopbackHttpServer;
using test::Route;

HealthCheck check_for(std::string url) {
  HealthCheck check;
  check.url = std::move(url);
  check.timeout = 5s;
  check.retries = 0;
  return check;
}

ProbeResult probe_one(const HealthCheck& check) {
  HttpProber prober;
  return prober.probe_all({&check}, Deadline::after(20s)).at(0);
}

// A self-signed certificate for 127.0.0.1 (its own CA) and `openssl s_server
// -www` serving it on an ephemeral loopback port; stopped when destroyed.
class TlsServer {
 public:
  explicit TlsServer(const std::string& dir) : cert_(dir + "/cert.pem") {
    ExecRequest request;
    request.argv = {"openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:prime256v1",
                    "-nodes",
                    "-keyout",
                    dir + "/key.pem",
                    "-out",
                    cert_,
                    "-days",
                    "2",
                    "-subj",
                    "/CN=127.0.0.1",
                    "-addext",
                    "subjectAltName=IP:127.0.0.1"};
    request.deadline = Deadline::after(30s);
    ProcessRunner runner;
    auto made = runner.run(request);
    REQUIRE(made);
    REQUIRE(made->succeeded());

    int out[2];
    REQUIRE(pipe(out) == 0);
    const std::string key = dir + "/key.pem";
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      // Its stdout (a line per connection) to us, its handshake errors nowhere.
      dup2(out[1], STDOUT_FILENO);
      if (int null = open("/dev/null", O_WRONLY); null >= 0) dup2(null, STDERR_FILENO);
      close(out[0]);
      close(out[1]);
      execlp("openssl", "openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert_.c_str(), "-key",
             key.c_str(), "-www", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    // It prints "ACCEPT 127.0.0.1:<port>" once it listens.
    FILE* lines = fdopen(out[0], "r");
    REQUIRE(lines != nullptr);
    char line[256];
    while (port_ == 0 && std::fgets(line, sizeof line, lines) != nullptr) {
      std::sscanf(line, "ACCEPT 127.0.0.1:%d", &port_);
    }
    output_ = lines;  // kept open: s_server must not get SIGPIPE
    REQUIRE(port_ != 0);
  }
  ~TlsServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (output_ != nullptr) std::fclose(output_);
  }
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  std::string url() const { return fmt::format("https://127.0.0.1:{}/", port_); }
  const std::string& cert() const { return cert_; }

 private:
  std::string cert_;
  pid_t pid_ = -1;
  int port_ = 0;
  FILE* output_ = nullptr;
};

}  // namespace

TEST_CASE("HTTPS probes verify the certificate unless told otherwise", "[probe][http][tls]") {
  test::ScratchDir dir;
  TlsServer server(dir.path());
  HealthCheck check = check_for(server.url());

  SECTION("by default a self-signed certificate fails, and the message says what to do") {
    ProbeResult result = probe_one(check);
    CHECK_FALSE(result.healthy);
    CHECK_THAT(result.error, Contains("TLS certificate not accepted") && Contains("'ca_file'") &&
                                 Contains("insecure = true"));
  }
  SECTION("with its CA in ca_file it passes") {
    check.ca_file = server.cert();
    ProbeResult result = probe_one(check);
    CHECK(result.error == "");
    CHECK(result.healthy);
    CHECK(result.status_code == 200);
  }
  SECTION("with insecure = true it passes, and the run warns") {
    check.insecure = true;
    ProbeResult result = probe_one(check);
    CHECK(result.healthy);
    ServiceConfig service;
    service.name = "api";
    service.health = check;
    ServiceConfig verified;
    verified.name = "web";
    verified.health = check_for(server.url());
    test::CapturedLog log;
    warn_unverified_tls(
        {std::make_shared<ServiceConfig>(service), std::make_shared<ServiceConfig>(verified)});
    CHECK(log.text() ==
          fmt::format("warning: api: TLS verification is off for {} (insecure = true): any server "
                      "on the way can answer its probe\n",
                      server.url()));
  }
}

TEST_CASE("redirects are followed only when asked, to http and https, at most 5", "[probe][http]") {
  LoopbackHttpServer server;
  server.set_route("/moved", Route{.status = 302, .headers = {{"Location", "/target"}}});
  server.set_route("/target", Route{.status = 200, .body = "ok"});
  server.set_route("/loop", Route{.status = 302, .headers = {{"Location", "/loop"}}});
  server.set_route("/to-ftp", Route{.status = 302, .headers = {{"Location", "ftp://127.0.0.1/x"}}});
  server.set_route("/to-file", Route{.status = 302, .headers = {{"Location", "file:///etc/passwd"}}});

  SECTION("not followed by default: the 302 is the answer") {
    ProbeResult result = probe_one(check_for(server.url("/moved")));
    CHECK(result.status_code == 302);
    CHECK(server.request_count("/target") == 0);
  }
  SECTION("followed with follow_redirects") {
    HealthCheck check = check_for(server.url("/moved"));
    check.follow_redirects = true;
    check.expect_status = {StatusRange{200, 200}};
    check.expect_status_text = "200";
    ProbeResult result = probe_one(check);
    CHECK(result.healthy);
    CHECK(result.status_code == 200);
    CHECK(server.request_count("/target") == 1);
  }
  SECTION("a loop ends after 5 redirects") {
    HealthCheck check = check_for(server.url("/loop"));
    check.follow_redirects = true;
    ProbeResult result = probe_one(check);
    CHECK_FALSE(result.healthy);
    CHECK(result.error == "more than 5 redirects (a redirect loop?)");
    CHECK(server.request_count("/loop") == 6);
  }
  SECTION("a redirect to ftp:// or file:// is refused") {
    for (const char* path : {"/to-ftp", "/to-file"}) {
      HealthCheck check = check_for(server.url(path));
      check.follow_redirects = true;
      ProbeResult result = probe_one(check);
      CHECK_FALSE(result.healthy);
      CHECK_THAT(result.error, Contains("redirected to a URL that is not http or https"));
    }
  }
}

TEST_CASE("the TLS and redirect keys of [service.health] are read and checked", "[config]") {
  test::ScratchDir dir;
  const std::string bundle = dir / "ca.pem";
  test::write_file(bundle, "not checked for PEM here; libcurl reads it\n");
  auto parse = [](const std::string& health) {
    return parse_config(
        "[[service]]\nname = \"a\"\nbackend = \"none\"\n[service.health]\nurl = "
        "\"https://127.0.0.1/\"\n" +
            health,
        "test.toml");
  };
  auto config = parse(fmt::format("insecure = true\nca_file = \"{}\"\nfollow_redirects = true\n", bundle));
  REQUIRE(config);
  const HealthCheck& health = *config->services.at(0).health;
  CHECK(health.insecure);
  CHECK(health.ca_file == bundle);
  CHECK(health.follow_redirects);

  auto defaults = parse("");
  REQUIRE(defaults);
  CHECK_FALSE(defaults->services.at(0).health->insecure);
  CHECK_FALSE(defaults->services.at(0).health->ca_file);
  CHECK_FALSE(defaults->services.at(0).health->follow_redirects);

  CHECK(parse(fmt::format("ca_file = \"{}/absent.pem\"\n", dir.path())).error() ==
        fmt::format("test.toml:6:11: 'ca_file' '{}/absent.pem' cannot be read: No such file or directory",
                    dir.path()));
  CHECK(parse("ca_file = \"ca.pem\"\n").error() ==
        "test.toml:6:11: 'ca_file' must be an absolute path, got 'ca.pem'");
  CHECK(parse(fmt::format("ca_file = \"{}\"\n", dir.path())).error() ==
        fmt::format("test.toml:6:11: 'ca_file' '{}' is not a file", dir.path()));
  CHECK_THAT(parse("insecure = \"yes\"\n").error(), Contains("test.toml:6:12: 'insecure' must be"));
  CHECK_THAT(parse("follow_redirects = 1\n").error(), Contains("test.toml:6:20: 'follow_redirects' must be"));
}

}  // namespace pm
