// A root-run monitor refuses a config, and programs it names, that another
// user could change (config/file_trust.hpp). Runs as root here, as the
// monitor does from cron; the non-root case runs in a child as nobody.
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "child_process.hpp"
#include "config/file_trust.hpp"
#include "config/load_config.hpp"
#include "rotate_fixtures.hpp"

namespace {

using Catch::Matchers::Contains;
using pm::test::ScratchDir;
using pm::test::write_file;

constexpr uid_t kNobody = 65534;

std::string config_file(const ScratchDir& dir, const std::string& text, mode_t mode, uid_t owner = 0) {
  std::string path = dir / "config.toml";
  write_file(path, text);
  REQUIRE(chmod(path.c_str(), mode) == 0);
  REQUIRE(chown(path.c_str(), owner, static_cast<gid_t>(-1)) == 0);
  return path;
}

const std::string kPlain = "[[service]]\nname = \"api\"\nbackend = \"pm2\"\n";

}  // namespace

TEST_CASE("as root, a config writable by others or owned by another user is refused with the fix") {
  if (geteuid() != 0) {
    WARN("not run: needs root to chown");
    return;
  }
  ScratchDir dir;
  SECTION("root's 0644 config loads") { CHECK(pm::load_config(config_file(dir, kPlain, 0644)).has_value()); }
  SECTION("writable by others") {
    auto path = config_file(dir, kPlain, 0646);
    auto config = pm::load_config(path);
    REQUIRE_FALSE(config);
    CHECK(config.error() == fmt::format("{} is writable by others: run chmod o-w {} (another user could make "
                                        "this root process run their commands)",
                                        path, path));
  }
  SECTION("writable by group and others") {
    auto path = config_file(dir, kPlain, 0666);
    auto config = pm::load_config(path);
    REQUIRE_FALSE(config);
    CHECK_THAT(config.error(), Contains("is writable by group 'root' and by others: run chmod go-w " + path));
  }
  SECTION("owned by nobody") {
    auto path = config_file(dir, kPlain, 0644, kNobody);
    auto config = pm::load_config(path);
    REQUIRE_FALSE(config);
    CHECK_THAT(config.error(), Contains(path +
                                        " is owned by 'nobody' (uid 65534), not 'root' (uid 0): run "
                                        "chown root " +
                                        path));
  }
  SECTION("owned by nobody and group-writable: both fixes") {
    auto path = config_file(dir, kPlain, 0664, kNobody);
    auto config = pm::load_config(path);
    REQUIRE_FALSE(config);
    CHECK_THAT(config.error(), Contains("run chown root " + path + "; chmod g-w " + path));
  }
}

TEST_CASE("as another user, the same files are not checked: that user can only hurt itself") {
  ScratchDir dir;
  REQUIRE(chmod(dir.path().c_str(), 0755) == 0);
  auto path = config_file(dir, kPlain, 0666, kNobody);
  CHECK(pm::load_config(path, std::nullopt).has_value());
  // The real euid decides: as nobody, geteuid() != 0.
  auto loaded =
      pm::test::in_child([&] { return pm::load_config(path) ? std::string("ok") : std::string("no"); });
  CHECK(loaded == "ok");
}

TEST_CASE("as root, a program named by path in an argv key must be trusted, at its file:line:col") {
  if (geteuid() != 0) {
    WARN("not run: needs root to chown");
    return;
  }
  ScratchDir dir;
  std::string hook = dir / "hook";
  write_file(hook, "#!/bin/sh\nexit 0\n");
  REQUIRE(chmod(hook.c_str(), 0777) == 0);

  const std::string restart = fmt::format(
      "[[service]]\nname = \"api\"\nbackend = \"pm2\"\n"
      "restart_command = [\"{}\", \"--now\"]\n",
      hook);
  const std::string alert = kPlain + fmt::format("[[alert]]\nexec = [\"{}\"]\n", hook);
  for (const auto& [text, line] : {std::pair{restart, 4}, std::pair{alert, 5}}) {
    auto path = config_file(dir, text, 0644);
    auto config = pm::load_config(path);
    REQUIRE_FALSE(config);
    CHECK_THAT(config.error(), Contains(fmt::format("{}:{}:", path, line)) &&
                                   Contains("[0]': " + hook +
                                            " is writable by group 'root' and by others: "
                                            "run chmod go-w " +
                                            hook));
  }
  SECTION("a trusted program, one from PATH and one not there yet pass") {
    REQUIRE(chmod(hook.c_str(), 0755) == 0);
    CHECK(pm::load_config(config_file(dir, restart, 0644)).has_value());
    CHECK(pm::load_config(config_file(dir, alert + "\n[[alert]]\nexec = [\"page-oncall\"]\n", 0644)));
    CHECK(pm::load_config(
        config_file(dir, kPlain + "[[alert]]\nexec = [\"" + dir.path() + "/absent\"]\n", 0644)));
  }
  SECTION("not checked when not asked: parse_config of a document") {
    CHECK(pm::parse_config(restart, "doc.toml").has_value());
    CHECK_FALSE(pm::parse_config(restart, "doc.toml", uid_t{0}).has_value());
  }
}

TEST_CASE("check_trusted names the owner's uid when it has no name") {
  struct stat status {};
  status.st_uid = 4242424;
  status.st_mode = S_IFREG | 0600;
  auto trusted = pm::check_trusted(status, "/x.toml", 0);
  REQUIRE_FALSE(trusted);
  CHECK_THAT(trusted.error(),
             Contains("/x.toml is owned by uid 4242424, not 'root' (uid 0): run chown root /x.toml"));
  status.st_uid = 0;
  CHECK(pm::check_trusted(status, "/x.toml", 0).has_value());
  CHECK_FALSE(pm::required_owner_for(1000));
  CHECK(pm::required_owner_for(0) == uid_t{0});
}
