// PM2's process list over the daemon's RPC socket: the AMP codec, and
// Pm2Backend against a stand-in daemon (fake_pm2_daemon), falling back to
// `pm2 jlist` only when the socket cannot give the list.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <iterator>
#include <string>

#include "backend/pm2_axon.hpp"
#include "backend/pm2_backend.hpp"
#include "backend/pm2_jlist.hpp"
#include "backend/pm2_rpc.hpp"
#include "fake_pm2_daemon.hpp"
#include "fakes.hpp"
#include "test_data.hpp"

using namespace pm;
using Catch::Contains;
using test::FakePm2Daemon;

namespace {

Deadline generous() { return Deadline::after(Duration{10000}); }

// A list reader that keeps the text it was given.
std::string text_read;
std::expected<void, std::string> read_text(std::istream& in) {
  text_read.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return {};
}

// About what 1000 apps give: 4.4 KB each, most of it their environment.
std::string big_list() {
  std::string list = "[";
  for (int i = 0; i < 1000; ++i) {
    if (i > 0) list += ',';
    list +=
        fmt::format(R"({{"name":"app-{}","pm_id":{},"pid":{},"pm2_env":{{"status":"online","env":"{}"}}}})",
                    i, i, 1000 + i, std::string(4300, 'x'));
  }
  return list + "]";
}

Pm2Settings settings_for(const FakePm2Daemon& daemon) {
  Pm2Settings settings;
  settings.binary = "/opt/pm2/bin/pm2";
  settings.home = daemon.home();
  return settings;
}

// Answers jlist with a recorded real output.
struct JlistRunner : test::FakeRunner {
  std::expected<ExecResult, std::string> run(const ExecRequest& request) override {
    auto result = FakeRunner::run(request);
    if (result) result->out = test::read_test_data("pm2/jlist-mixed.json");
    return result;
  }
};

}  // namespace

TEST_CASE("axon messages: a call is encoded as pm2-axon-rpc sends it", "[pm2_rpc]") {
  const std::string call = encode_axon_call("getMonitorData", "[{}]", "me:0");
  const std::string first = R"(j:{"type":"call","method":"getMonitorData","args":[{}]})";
  const std::string expected = std::string(1, '\x12') + std::string("\0\0\0", 3) +
                               static_cast<char>(first.size()) + first + std::string("\0\0\0\x06", 4) +
                               "s:me:0";
  CHECK(call == expected);
}

TEST_CASE("axon replies without a result: the daemon's error, or not a reply", "[pm2_rpc]") {
  CHECK(rpc_failure_text(R"(j:{"error":"boom"})") == "the PM2 daemon answered an error: boom");
  CHECK(rpc_failure_text(R"(j:{"error":{"code":3}})") == R"(the PM2 daemon answered an error: {"code":3})");
  CHECK_THAT(rpc_failure_text("s:hello"), Contains("not an RPC reply"));
  CHECK_THAT(rpc_failure_text("j:{nonsense"), Contains("not an RPC reply"));
}

TEST_CASE("Pm2Backend reads the list from rpc.sock in one call and runs no pm2 command", "[pm2_rpc]") {
  FakePm2Daemon daemon;
  daemon.answer(test::read_test_data("pm2/jlist-mixed.json"));
  test::FakeRunner runner;
  Pm2Backend backend(settings_for(daemon), runner);
  auto status = backend.observe({"api", "web", "ghost"}, generous());
  REQUIRE(status);
  CHECK(daemon.calls() == std::vector<std::string>{"getMonitorData"});
  CHECK(runner.commands.empty());
  CHECK(status->at("api").front().state == UnitState::Running);
  CHECK(status->at("ghost").front().state == UnitState::Missing);
}

TEST_CASE("Pm2Backend falls back to pm2 jlist when the daemon refuses the call", "[pm2_rpc]") {
  FakePm2Daemon daemon;
  daemon.reply_with(FakePm2Daemon::Reply::Error);
  JlistRunner runner;
  Pm2Backend backend(settings_for(daemon), runner);
  auto status = backend.observe({"api"}, generous());
  REQUIRE(status);
  CHECK(daemon.calls().size() == 1);
  REQUIRE(runner.commands.size() == 1);
  CHECK(runner.commands[0] == std::vector<std::string>{"/opt/pm2/bin/pm2", "jlist"});
  CHECK(status->at("api").front().state == UnitState::Running);
}

TEST_CASE("a daemon that never answers is an error within the PM2 timeout, not a second wait", "[pm2_rpc]") {
  FakePm2Daemon daemon;
  daemon.reply_with(FakePm2Daemon::Reply::Hang);
  test::FakeRunner runner;
  Pm2Settings settings = settings_for(daemon);
  settings.timeout = Duration{100};
  Pm2Backend backend(settings, runner);
  auto status = backend.observe({"api"}, generous());
  REQUIRE_FALSE(status);
  CHECK_THAT(status.error(), Contains("did not answer"));
  CHECK(runner.commands.empty());
}

TEST_CASE("pm2_rpc_process_list: a missing socket is unreachable", "[pm2_rpc]") {
  auto listed = pm2_rpc_process_list("/nonexistent/pm2/rpc.sock", generous(), read_text);
  REQUIRE_FALSE(listed);
  CHECK(listed.error().kind == Pm2RpcFailure::Kind::Unreachable);
}

TEST_CASE("pm2_rpc_process_list: an answer of megabytes reaches the reader whole, exactly as sent",
          "[pm2_rpc]") {
  // About what 1000 apps give (4.4 KB each): many reads of the socket.
  const std::string big = big_list();
  FakePm2Daemon daemon;
  daemon.answer(big);
  auto listed = pm2_rpc_process_list(daemon.home() + "/rpc.sock", generous(), read_text);
  REQUIRE(listed);
  CHECK(text_read.size() == big.size());
  CHECK(text_read == big);

  SECTION("and parsed as it arrives, into the processes") {
    std::vector<Pm2Process> processes;
    auto parsed = pm2_rpc_process_list(daemon.home() + "/rpc.sock", generous(), [&](std::istream& in) {
      auto list = parse_pm2_list(in);
      if (!list) return std::expected<void, std::string>(std::unexpected(list.error()));
      processes = std::move(*list);
      return std::expected<void, std::string>();
    });
    REQUIRE(parsed);
    REQUIRE(processes.size() == 1000);
    CHECK(processes[999].name == "app-999");
    CHECK(processes[999].pid == 1999);
  }
  SECTION("a reader that stops early leaves the framing intact") {
    auto first_byte = pm2_rpc_process_list(daemon.home() + "/rpc.sock", generous(), [](std::istream& in) {
      return in.get() == '[' ? std::expected<void, std::string>() : std::unexpected(std::string("no list"));
    });
    CHECK(first_byte);
  }
}

TEST_CASE("pm2_rpc_process_list: a daemon that stops in the middle of the list", "[pm2_rpc]") {
  FakePm2Daemon daemon;
  daemon.answer(big_list());
  SECTION("closing: Failed, so the backend falls back to pm2 jlist") {
    daemon.reply_with(FakePm2Daemon::Reply::HalfThenClose);
    auto listed = pm2_rpc_process_list(daemon.home() + "/rpc.sock", generous(), read_text);
    REQUIRE_FALSE(listed);
    CHECK(listed.error().kind == Pm2RpcFailure::Kind::Failed);
    CHECK_THAT(listed.error().message, Contains("closed"));
  }
  SECTION("falling silent: TimedOut at the deadline, whatever the reader made of the half") {
    daemon.reply_with(FakePm2Daemon::Reply::HalfThenHang);
    auto listed =
        pm2_rpc_process_list(daemon.home() + "/rpc.sock", Deadline::after(Duration{200}), read_text);
    REQUIRE_FALSE(listed);
    CHECK(listed.error().kind == Pm2RpcFailure::Kind::TimedOut);
  }
}

TEST_CASE("pm2_rpc_process_list: an error answer and a list the reader refuses are Failed with their reason",
          "[pm2_rpc]") {
  FakePm2Daemon daemon;
  daemon.answer(R"([{"name":"api"}])");
  auto refused = pm2_rpc_process_list(daemon.home() + "/rpc.sock", generous(),
                                      [](std::istream& in) -> std::expected<void, std::string> {
                                        auto list = parse_pm2_list(in);
                                        if (!list) return std::unexpected(list.error());
                                        return {};
                                      });
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == Pm2RpcFailure::Kind::Failed);
  CHECK_THAT(refused.error().message, Contains("entry 0: has no pm_id"));

  daemon.reply_with(FakePm2Daemon::Reply::Error);
  auto error = pm2_rpc_process_list(daemon.home() + "/rpc.sock", generous(), read_text);
  REQUIRE_FALSE(error);
  CHECK(error.error().kind == Pm2RpcFailure::Kind::Failed);
  CHECK_THAT(error.error().message, Contains("answered an error: no such process"));
}
