#pragma once
// The Docker parts of the integration harness: the private Docker Engine
// started by tests/engines/docker/start.sh (ctest fixture "engine: docker
// start", state dir PM_ENGINE_STATE_DIR/docker), test containers in it made
// with the docker CLI, and a fake engine that accepts connections and never
// answers.
#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine_harness.hpp"

namespace pm::it {

// The only image the test engine has (tests/engines/docker/build-image.sh).
inline constexpr const char* kDockerTestImage = "pm-test/busybox:1";

struct DockerEngine {
  static std::string state_dir();  // what start.sh was given
  static std::string socket();     // its docker.sock
  static std::string host();       // "unix://" + socket()
  // The engine's TLS endpoint (start.sh: --tlsverify, its own CA in state_dir()/tls).
  static std::string tls_host();  // "tcp://127.0.0.1:23760"
  // A cert_path for tls_host(): ca.pem, cert.pem and key.pem of a client it lets in.
  static std::string tls_client_dir();
  // The same three files from another CA: a client tls_host() refuses, and
  // whose ca.pem does not vouch for the engine either.
  static std::string other_tls_client_dir();
  // Why the engine cannot be used, or nothing when it answers /_ping.
  static std::optional<std::string> unavailable_reason();
  // Runs `docker -H host() args...`; fails the test if it does not succeed.
  static ExecResult run(std::vector<std::string> args);
  // The same, whatever the outcome.
  static ExecResult try_run(std::vector<std::string> args);
  // `docker inspect` of one container, or null when there is none of that name.
  static nlohmann::json inspect(const std::string& name);
  // State.Status ("running", "exited", ...), or "absent".
  static std::string status(const std::string& name);
  // State.Health.Status ("healthy", "unhealthy", "starting"), or "" without a HEALTHCHECK.
  static std::string health(const std::string& name);
  static std::string started_at(const std::string& name);  // State.StartedAt
  static long restart_count(const std::string& name);      // RestartCount
  // Waits (up to a hang-detecting 60 s) until status() / health() is `want`;
  // fails the test otherwise.
  static void wait_for_status(const std::string& name, const std::string& want);
  static void wait_for_health(const std::string& name, const std::string& want);
};

// A container of the test image, run with --network host and --init, and
// removed (docker rm -f) at destruction. The constructor waits until it is
// ready: running, its HTTP health URL answering 200, Docker's health check
// healthy.
class TestContainer {
 public:
  struct Options {
    // > 0: busybox httpd on 127.0.0.1:http_port serves /www/health ("ok"),
    // written anew by every start.
    int http_port = 0;
    // A HEALTHCHECK (test -f /tmp/ok, every 1 s, unhealthy after one
    // failure); /tmp/ok is created by every start.
    bool healthcheck = false;
    std::map<std::string, std::string> labels;
    // Bind mounts, as `docker run -v` takes them: "HOST:CONTAINER" or "HOST:CONTAINER:ro".
    std::vector<std::string> binds;
    // What the container runs (sh -c) without http_port.
    std::string command = "exec sleep 100000";
  };
  TestContainer(std::string name, Options options);
  explicit TestContainer(std::string name) : TestContainer(std::move(name), Options{}) {}
  ~TestContainer();
  TestContainer(const TestContainer&) = delete;
  TestContainer& operator=(const TestContainer&) = delete;

  const std::string& name() const { return name_; }
  bool has_health_url() const { return options_.http_port > 0; }
  std::string health_url() const;
  // The health URL answers 404 until the next start.
  void break_health_url() const;
  // Docker's health check fails until the next start; waits until Docker
  // reports the container unhealthy.
  void break_healthcheck() const;
  // docker kill; waits until Docker reports it exited.
  void kill() const;
  // docker stop -t 10 (SIGTERM, SIGKILL 10 s later); waits until Docker
  // reports it exited. Returns its exit code.
  long stop() const;
  void wait_ready() const;

 private:
  std::string name_;
  Options options_;
};

// A unix socket at `path` that accepts every connection and reads whatever
// arrives, but never writes a byte: an engine that hangs. A thread serves it
// until destruction.
class SilentEngine {
 public:
  explicit SilentEngine(std::string path);
  ~SilentEngine();
  SilentEngine(const SilentEngine&) = delete;
  SilentEngine& operator=(const SilentEngine&) = delete;

  std::string host() const { return "unix://" + path_; }
  int connections() const { return connections_.load(); }
  std::size_t bytes_read() const { return bytes_read_.load(); }

 private:
  void serve();

  std::string path_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::atomic<int> connections_{0};
  std::atomic<std::size_t> bytes_read_{0};
  std::thread thread_;
};

// Copies the file `from` to `to` (created or replaced, its directory made if
// missing); fails the test if it cannot.
void copy_file(const std::string& from, const std::string& to);

// A [docker] table for configs: the test engine by default.
std::string docker_table(const std::string& host = DockerEngine::host(), const std::string& extra = "");

}  // namespace pm::it
