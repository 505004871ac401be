// What a run keeps between runs (cli/state_session.hpp): histories read from
// the state file and written back, with a history that cannot be read kept
// as it was found until the service gets a new one.
#include "cli/state_session.hpp"

#include <boost/filesystem.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <utility>

#include "captured_log.hpp"
#include "policy/history_json.hpp"
#include "state/state_store.hpp"

using namespace pm;
namespace fs = boost::filesystem;

namespace {

struct ScratchFile {
  fs::path dir = fs::temp_directory_path() / fs::unique_path("pm-session-test-%%%%-%%%%");
  std::string path = (dir / "c.state.json").string();
  ScratchFile() { fs::create_directories(dir); }
  ~ScratchFile() {
    boost::system::error_code ignored;
    fs::remove_all(dir, ignored);
  }
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ServiceHistory history_with(int failures) {
  ServiceHistory history;
  history.consecutive_failures = failures;
  history.restarts_total = static_cast<std::uint64_t>(failures) * 10;
  return history;
}

StateSession open_session(const std::string& path) {
  Interrupt interrupt;
  auto session = StateSession::open_at(path, Duration{0}, interrupt);
  REQUIRE(session);
  return std::move(*session);
}

}  // namespace

TEST_CASE("state session: histories round trip, an unreadable one is kept as found until replaced",
          "[state]") {
  ScratchFile file;
  const nlohmann::json unreadable = {{"consecutive_failures", "many"}, {"kept", "as found"}};
  StateDocument document;
  document.services["api"] = history_to_json(history_with(1));
  document.services["broken"] = unreadable;
  document.services["web"] = history_to_json(history_with(2));
  document.resources = {{"cpu", {{"busy", 1}, {"total", 2}}}};
  REQUIRE(save_state(file.path, document));

  {
    test::CapturedLog log;
    StateSession session = open_session(file.path);
    CHECK(log.text() == "warning: state file " + file.path +
                            ": the history of broken is unreadable ('consecutive_failures' is not a "
                            "count); starting it afresh\n");
    CHECK(session.histories().size() == 2);
    CHECK(session.histories().at("api") == history_with(1));
    CHECK(session.histories().at("web") == history_with(2));
    session.histories()["api"] = history_with(5);
    session.histories()["zeta"] = history_with(7);  // after every other name
    REQUIRE(session.save());
  }
  auto saved = decode_state(read_text(file.path));
  REQUIRE(saved);
  CHECK(saved->services.size() == 4);
  CHECK(saved->services.at("api") == history_to_json(history_with(5)));
  CHECK(saved->services.at("broken") == unreadable);
  CHECK(saved->services.at("web") == history_to_json(history_with(2)));
  CHECK(saved->services.at("zeta") == history_to_json(history_with(7)));
  CHECK(saved->resources == document.resources);
  // The text is what the whole document of the same content gives: names in order, each once.
  CHECK(read_text(file.path) == encode_state(*saved, saved->written_at));

  {
    test::CapturedLog log;
    StateSession session = open_session(file.path);
    session.histories()["broken"] = history_with(3);  // a new history replaces the unreadable one
    REQUIRE(session.save());
  }
  auto replaced = decode_state(read_text(file.path));
  REQUIRE(replaced);
  CHECK(replaced->services.size() == 4);
  CHECK(replaced->services.at("broken") == history_to_json(history_with(3)));
}

TEST_CASE("state session: no services, and only an unreadable one", "[state]") {
  ScratchFile file;
  {
    StateSession session = open_session(file.path);
    CHECK(session.histories().empty());
    REQUIRE(session.save());
  }
  auto empty = decode_state(read_text(file.path));
  REQUIRE(empty);
  CHECK(empty->services.empty());

  StateDocument document;
  document.services["only"] = {{"last_state", "no such state"}};
  REQUIRE(save_state(file.path, document));
  {
    test::CapturedLog log;
    StateSession session = open_session(file.path);
    CHECK(session.histories().empty());
    REQUIRE(session.save());
  }
  auto kept = decode_state(read_text(file.path));
  REQUIRE(kept);
  CHECK(kept->services == document.services);
}

namespace {

std::expected<StateSession, SessionError> open_carrying(const std::string& path,
                                                        std::optional<StateCarry>& carry) {
  Interrupt interrupt;
  return StateSession::open_at(path, Duration{0}, interrupt, &carry);
}

}  // namespace

TEST_CASE("state session: an --interval loop's next cycle takes the state it saved, unless the file changed",
          "[state]") {
  ScratchFile file;
  std::optional<StateCarry> carry;

  // First cycle: read from the (missing) file, a history made and saved.
  {
    auto session = open_carrying(file.path, carry);
    REQUIRE(session);
    CHECK_FALSE(session->carried());
    session->histories()["api"] = history_with(1);
    session->rotation().live_since["/var/log/a.log"] = WallTime(std::chrono::seconds(1'700'000'000));
    REQUIRE(session->save());
    carry = std::move(*session).carry_over();
  }
  REQUIRE(carry);

  // Second cycle: the file is the one saved, so the state comes from memory.
  {
    auto session = open_carrying(file.path, carry);
    REQUIRE(session);
    CHECK(session->carried());
    CHECK_FALSE(carry);  // used up
    REQUIRE(session->histories().count("api") == 1);
    CHECK(session->histories().at("api").consecutive_failures == 1);
    CHECK(session->rotation().live_since.count("/var/log/a.log") == 1);
    session->histories()["api"].consecutive_failures = 2;
    REQUIRE(session->save());
    carry = std::move(*session).carry_over();
  }
  REQUIRE(carry);

  // Another run (reset, a --once) replaces the file meanwhile: read again.
  {
    StateDocument other;
    other.services["api"] = history_to_json(history_with(7));
    REQUIRE(save_state(file.path, other));
  }
  {
    auto session = open_carrying(file.path, carry);
    REQUIRE(session);
    CHECK_FALSE(session->carried());
    CHECK(session->histories().at("api").consecutive_failures == 7);
    REQUIRE(session->save());
    carry = std::move(*session).carry_over();
  }
  REQUIRE(carry);

  // The file removed: read again (an empty state), not carried.
  fs::remove(file.path);
  {
    auto session = open_carrying(file.path, carry);
    REQUIRE(session);
    CHECK_FALSE(session->carried());
    CHECK(session->histories().empty());
  }
}

TEST_CASE("state session: nothing is carried after a change that was not saved", "[state]") {
  ScratchFile file;
  std::optional<StateCarry> carry;
  auto session = open_carrying(file.path, carry);
  REQUIRE(session);

  SECTION("a dry run saves nothing") {
    session->histories()["api"] = history_with(3);
    CHECK_FALSE(std::move(*session).carry_over());
  }
  SECTION("a history changed after the save") {
    REQUIRE(session->save());
    session->histories()["api"] = history_with(3);
    CHECK_FALSE(std::move(*session).carry_over());
  }
  SECTION("the rotation state changed after the save") {
    REQUIRE(session->save());
    session->rotation().live_since["/var/log/a.log"] = WallTime(std::chrono::seconds(1'700'000'000));
    CHECK_FALSE(std::move(*session).carry_over());
  }
  SECTION("the resources' memory changed after the save") {
    REQUIRE(session->save());
    session->resources()["cpu"] = 1;
    CHECK_FALSE(std::move(*session).carry_over());
  }
  SECTION("read only after the save, through the const accessor: carried") {
    REQUIRE(session->save());
    CHECK(std::as_const(*session).histories().empty());
    CHECK(std::move(*session).carry_over());
  }
}
