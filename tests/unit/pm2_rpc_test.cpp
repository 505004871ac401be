// PM2's process list over the daemon's RPC socket: the AMP codec, and
// Pm2Backend against a stand-in daemon (fake_pm2_daemon), falling back to
// `pm2 jlist` only when the socket cannot give the list.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <string>

#include "backend/pm2_axon.hpp"
#include "backend/pm2_backend.hpp"
#include "backend/pm2_rpc.hpp"
#include "fake_pm2_daemon.hpp"
#include "fakes.hpp"
#include "test_data.hpp"

using namespace pm;
using Catch::Contains;
using test::FakePm2Daemon;

namespace {

Deadline generous() { return Deadline::after(Duration{10000}); }

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

  SECTION("and decoded back, whole or only once complete") {
    for (std::size_t cut = 0; cut < call.size(); ++cut) {
      auto partial = decode_axon_message(std::string_view(call).substr(0, cut), 1024);
      REQUIRE(partial);
      CHECK_FALSE(*partial);
    }
    for (std::size_t cut = 0; cut <= call.size(); ++cut) {
      // What the lengths that have arrived announce: the first argument's
      // from byte 5 on, the whole message once the second length is there.
      const std::size_t known = axon_known_size(std::string_view(call).substr(0, cut));
      const std::size_t second_length_end = 1 + 4 + first.size() + 4;
      CHECK(known == (cut == 0 ? 0 : cut < 5 ? 1 : cut < second_length_end ? 5 + first.size() : call.size()));
    }
    auto whole = decode_axon_message(call, 1024);
    REQUIRE(whole);
    REQUIRE(*whole);
    CHECK((**whole == std::vector<std::string_view>{first, "s:me:0"}));
  }
  SECTION("a wrong version or an oversized message is refused") {
    CHECK_FALSE(decode_axon_message(std::string(1, '\x22') + call.substr(1), 1024));
    CHECK_FALSE(decode_axon_message(call, 16));
  }
}

TEST_CASE("axon replies: the single result is cut out, errors and nonsense are named", "[pm2_rpc]") {
  CHECK(single_rpc_result(R"(j:{"args":[[{"name":"api"}]]})").value() == R"([{"name":"api"}])");
  CHECK(single_rpc_result(R"(j:{"args":[[]]})").value() == "[]");
  CHECK_THAT(single_rpc_result(R"(j:{"error":"boom"})").error(), Contains("answered an error: boom"));
  CHECK_THAT(single_rpc_result("s:hello").error(), Contains("not an RPC reply"));
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
  auto listed = pm2_rpc_process_list("/nonexistent/pm2/rpc.sock", generous());
  REQUIRE_FALSE(listed);
  CHECK(listed.error().kind == Pm2RpcFailure::Kind::Unreachable);
}

TEST_CASE("pm2_rpc_process_list: an answer of megabytes arrives whole, exactly as the daemon sent it",
          "[pm2_rpc]") {
  // About what 1000 apps give (4.4 KB each): many reads, one reservation.
  std::string big = "[";
  for (int i = 0; i < 1000; ++i) {
    if (i > 0) big += ',';
    big +=
        fmt::format(R"({{"name":"app-{}","pm_id":{},"pid":{},"pm2_env":{{"status":"online","env":"{}"}}}})",
                    i, i, 1000 + i, std::string(4300, 'x'));
  }
  big += ']';
  FakePm2Daemon daemon;
  daemon.answer(big);
  auto listed = pm2_rpc_process_list(daemon.home() + "/rpc.sock", generous());
  REQUIRE(listed);
  CHECK(listed->size() == big.size());
  CHECK(*listed == big);
}
