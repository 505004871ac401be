#include "docker_harness.hpp"

#include "util/curl_global.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <system_error>

#include <fmt/format.h>

namespace pm::it {
namespace {

const EngineRegistration docker_registration("docker", &DockerEngine::unavailable_reason);

// GET /_ping on the engine socket: whether it answers "OK".
bool engine_answers_ping(const std::string& socket) {
  if (!ensure_curl_initialized()) return false;  // libcurl is loaded on first use
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return false;
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, "http://localhost/_ping");
  curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t count, void* user) {
        static_cast<std::string*>(user)->append(data, size * count);
        return size * count;
      });
  bool ok = curl_easy_perform(curl) == CURLE_OK && body == "OK";
  curl_easy_cleanup(curl);
  return ok;
}

}  // namespace

std::string DockerEngine::state_dir() { return std::string(PM_ENGINE_STATE_DIR) + "/docker"; }
std::string DockerEngine::socket() { return state_dir() + "/docker.sock"; }
std::string DockerEngine::host() { return "unix://" + socket(); }
std::string DockerEngine::tls_host() { return "tcp://127.0.0.1:23760"; }
std::string DockerEngine::tls_client_dir() { return state_dir() + "/tls/client"; }
std::string DockerEngine::other_tls_client_dir() { return state_dir() + "/tls/other-client"; }

std::optional<std::string> DockerEngine::unavailable_reason() {
  if (!engine_answers_ping(socket())) {
    return fmt::format(
        "no Docker engine answers at {} (ctest starts it with tests/engines/docker/start.sh; "
        "scripts/install-deps.sh installs it)",
        host());
  }
  ProcessRunner runner;
  ExecRequest request;
  request.argv = {"docker", "-H", host(), "image", "inspect", "--format", "{{.Id}}", kDockerTestImage};
  request.deadline = Deadline::after(Duration{60000});
  auto result = runner.run(request);
  if (!result) return "the docker CLI cannot be run: " + result.error();
  if (!result->succeeded()) {
    return fmt::format("the test engine has no image {} (tests/engines/docker/build-image.sh): {}",
                       kDockerTestImage, result->last_output_line());
  }
  return std::nullopt;
}

ExecResult DockerEngine::try_run(std::vector<std::string> args) {
  ProcessRunner runner;
  ExecRequest request;
  request.argv = {"docker", "-H", host()};
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  request.deadline = Deadline::after(Duration{60000});
  auto result = runner.run(request);
  INFO("docker " << args.at(0) << (result ? "" : ": " + result.error()));
  REQUIRE(result);
  return *result;
}

ExecResult DockerEngine::run(std::vector<std::string> args) {
  ExecResult result = try_run(args);
  std::string shown;
  for (const auto& arg : args) shown += " " + arg;
  INFO("docker" << shown << ": " << result.describe() << "\n" << result.out << result.err);
  REQUIRE(result.succeeded());
  return result;
}

nlohmann::json DockerEngine::inspect(const std::string& name) {
  // --type container: an image of that name must not answer for it.
  ExecResult result = try_run({"inspect", "--type", "container", name});
  if (!result.succeeded()) {
    INFO("docker inspect " << name << ": " << result.describe() << "\n" << result.err);
    REQUIRE_THAT(result.err, Catch::Contains("No such"));
    return nullptr;
  }
  auto parsed = nlohmann::json::parse(result.out, nullptr, false);
  INFO("docker inspect " << name << ":\n" << result.out);
  REQUIRE(parsed.is_array());
  REQUIRE(parsed.size() == 1);
  return parsed[0];
}

std::string DockerEngine::status(const std::string& name) {
  auto info = inspect(name);
  if (info.is_null()) return "absent";
  return info["State"]["Status"].get<std::string>();
}

std::string DockerEngine::health(const std::string& name) {
  auto info = inspect(name);
  if (info.is_null()) return "";
  const auto& state = info["State"];
  if (!state.contains("Health") || state["Health"].is_null()) return "";
  return state["Health"]["Status"].get<std::string>();
}

std::string DockerEngine::started_at(const std::string& name) {
  auto info = inspect(name);
  REQUIRE_FALSE(info.is_null());
  return info["State"]["StartedAt"].get<std::string>();
}

long DockerEngine::restart_count(const std::string& name) {
  auto info = inspect(name);
  REQUIRE_FALSE(info.is_null());
  return info["RestartCount"].get<long>();
}

void DockerEngine::wait_for_status(const std::string& name, const std::string& want) {
  std::string seen;
  if (eventually([&] { return (seen = status(name)) == want; })) return;
  FAIL("container " << name << " did not become " << want << " (still " << seen << ")");
}

void DockerEngine::wait_for_health(const std::string& name, const std::string& want) {
  std::string seen;
  if (eventually([&] { return (seen = health(name)) == want; })) return;
  FAIL("container " << name << " did not become " << want << " (health '" << seen << "')");
}

TestContainer::TestContainer(std::string name, Options options)
    : name_(std::move(name)), options_(std::move(options)) {
  DockerEngine::try_run({"rm", "-f", name_});  // left over from an interrupted earlier run
  std::vector<std::string> args{"run", "-d", "--name", name_, "--network", "host", "--init"};
  for (const auto& [key, value] : options_.labels) {
    args.push_back("--label");
    args.push_back(key + "=" + value);
  }
  for (const auto& bind : options_.binds) {
    args.push_back("-v");
    args.push_back(bind);
  }
  std::string script;
  if (options_.healthcheck) {
    args.insert(args.end(),
                {"--health-cmd", "test -f /tmp/ok", "--health-interval", "1s", "--health-retries", "1"});
    script += "touch /tmp/ok; ";
  }
  if (options_.http_port > 0) {
    script += fmt::format("mkdir -p /www && echo ok > /www/health && exec httpd -f -p 127.0.0.1:{} -h /www",
                          options_.http_port);
  } else {
    script += options_.command;
  }
  args.insert(args.end(), {kDockerTestImage, "sh", "-c", script});
  DockerEngine::run(args);
  wait_ready();
}

TestContainer::~TestContainer() { DockerEngine::try_run({"rm", "-f", name_}); }

std::string TestContainer::health_url() const {
  return fmt::format("http://127.0.0.1:{}/health", options_.http_port);
}

void TestContainer::wait_ready() const {
  DockerEngine::wait_for_status(name_, "running");
  if (options_.http_port > 0) {
    long seen = 0;
    if (!eventually([&] { return (seen = http_get(health_url())) == 200; })) {
      FAIL("container " << name_ << ": " << health_url() << " did not answer 200 (last: " << seen << ")");
    }
  }
  if (options_.healthcheck) DockerEngine::wait_for_health(name_, "healthy");
}

void TestContainer::break_health_url() const {
  REQUIRE(options_.http_port > 0);
  DockerEngine::run({"exec", name_, "rm", "/www/health"});
  REQUIRE(http_get(health_url()) == 404);
}

void TestContainer::break_healthcheck() const {
  REQUIRE(options_.healthcheck);
  DockerEngine::run({"exec", name_, "rm", "/tmp/ok"});
  DockerEngine::wait_for_health(name_, "unhealthy");
}

void TestContainer::kill() const {
  DockerEngine::run({"kill", name_});
  DockerEngine::wait_for_status(name_, "exited");
}

long TestContainer::stop() const {
  DockerEngine::run({"stop", "-t", "10", name_});
  DockerEngine::wait_for_status(name_, "exited");
  return DockerEngine::inspect(name_)["State"]["ExitCode"].get<long>();
}

SilentEngine::SilentEngine(std::string path) : path_(std::move(path)) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  REQUIRE(path_.size() < sizeof(address.sun_path));
  std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(listen_fd_ >= 0);
  unlink(path_.c_str());
  int bound = bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  INFO("bind " << path_ << ": " << std::strerror(errno));
  REQUIRE(bound == 0);
  REQUIRE(listen(listen_fd_, 16) == 0);
  REQUIRE(pipe2(stop_pipe_, O_CLOEXEC) == 0);
  thread_ = std::thread([this] { serve(); });
}

SilentEngine::~SilentEngine() {
  if (thread_.joinable()) {
    char stop = 's';
    (void)!write(stop_pipe_[1], &stop, 1);
    thread_.join();
  }
  for (int fd : {listen_fd_, stop_pipe_[0], stop_pipe_[1]}) {
    if (fd >= 0) close(fd);
  }
  unlink(path_.c_str());
}

void SilentEngine::serve() {
  std::vector<int> clients;
  while (true) {
    std::vector<pollfd> fds{{stop_pipe_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    for (int fd : clients) fds.push_back({fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents != 0) break;
    if ((fds[1].revents & POLLIN) != 0) {
      int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        clients.push_back(client);
        ++connections_;
      }
    }
    for (std::size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      char buffer[4096];
      ssize_t got = read(fds[i].fd, buffer, sizeof(buffer));
      if (got > 0) {
        bytes_read_ += static_cast<std::size_t>(got);
      } else {  // the client hung up (or failed): forget it
        close(fds[i].fd);
        std::erase(clients, fds[i].fd);
      }
    }
  }
  for (int fd : clients) close(fd);
}

void copy_file(const std::string& from, const std::string& to) {
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(to).parent_path(), error);
  if (!error) std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, error);
  INFO("copy " << from << " to " << to << ": " << error.message());
  REQUIRE_FALSE(error);
}

std::string docker_table(const std::string& host, const std::string& extra) {
  return fmt::format("[docker]\nhost = \"{}\"\n{}\n", host, extra);
}

}  // namespace pm::it
