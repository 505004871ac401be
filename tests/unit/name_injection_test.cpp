// Names from the config never reach a shell: each engine's own name rules
// are enforced when the config is read, and commands run as argv vectors, so
// shell syntax in a name or an argument is rejected or stays plain text.
#include <unistd.h>

#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "config/load_config.hpp"
#include "config/systemd_selection.hpp"
#include "rotate_fixtures.hpp"
#include "util/exec.hpp"

namespace {

using Catch::Matchers::Contains;

constexpr const char* kInjection = "x; touch /tmp/pwned";

std::string error_of(const std::string& document) {
  auto config = pm::parse_config(document, "test.toml");
  return config ? std::string("(no error)") : config.error();
}

}  // namespace

TEST_CASE("a name with shell syntax is rejected for every backend, where it is written", "[config]") {
  // PM2: the service name, and a target naming the app.
  CHECK(error_of(fmt::format("[[service]]\nname = \"{}\"\nbackend = \"pm2\"\n", kInjection)) ==
        "test.toml:2:8: invalid name 'x; touch /tmp/pwned': ';' is not allowed (use letters, digits and . _ "
        "@ : "
        "-)");
  CHECK_THAT(
      error_of(fmt::format("[[service]]\nname = \"a\"\nbackend = \"pm2\"\ntarget = \"{}\"\n", kInjection)),
      Contains("test.toml:4:10: invalid target 'x; touch /tmp/pwned'"));
  // Docker: Docker's own rule, [a-zA-Z0-9][a-zA-Z0-9_.-]*.
  CHECK_THAT(error_of(fmt::format("[[service]]\nname = \"a\"\nbackend = \"docker\"\ncontainer = \"{}\"\n",
                                  kInjection)),
             Contains("test.toml:4:13: 'x; touch /tmp/pwned' is not a valid container name"));
  CHECK_THAT(error_of(fmt::format(
                 "[[service]]\nname = \"a\"\nbackend = \"docker\"\ncompose_project = \"{}\"\n", kInjection)),
             Contains("test.toml:4:19: invalid compose_project 'x; touch /tmp/pwned'"));
  // systemd: systemd's unit name rules.
  CHECK_THAT(
      error_of(fmt::format("[[service]]\nname = \"a\"\nbackend = \"systemd\"\nunit = \"{}\"\n", kInjection)),
      Contains("test.toml:4:8: 'x; touch /tmp/pwned' is not a valid unit name"));
  // The log groups' reopen targets follow the same rules.
  for (const char* engine : {"pm2", "docker", "systemd"}) {
    CHECK_THAT(error_of(fmt::format("[[logs]]\npaths = [\"/a.log\"]\nmax_size = \"1M\"\n"
                                    "reopen = {{ {} = \"{}\" }}\n",
                                    engine, kInjection)),
               Contains("test.toml:4:") && Contains("x; touch /tmp/pwned"));
  }
}

TEST_CASE("unit names follow systemd's unit_name_is_valid, templates included", "[config]") {
  using pm::is_unit_name;
  CHECK(is_unit_name("nginx"));
  CHECK(is_unit_name("nginx.service"));
  CHECK(is_unit_name("getty@tty1.service"));
  CHECK(is_unit_name("getty@tty1"));
  CHECK(is_unit_name("foo@bar@baz.service"));  // only the first '@' is special
  CHECK(is_unit_name("pm-esc\\x2dname.service"));
  CHECK_FALSE(is_unit_name("getty@.service"));  // a template: nothing runs under its name
  CHECK_FALSE(is_unit_name("getty@"));
  CHECK_FALSE(is_unit_name("@tty1.service"));
  CHECK_FALSE(is_unit_name("a/b.service"));
  CHECK_FALSE(is_unit_name("$(id).service"));
  CHECK_FALSE(is_unit_name(""));
  CHECK(is_unit_name(std::string(247, 'a')));  // + ".service": 255
  CHECK_FALSE(is_unit_name(std::string(248, 'a')));
  CHECK_THAT(error_of("[[service]]\nname = \"a\"\nbackend = \"systemd\"\nunit = \"getty@.service\"\n"),
             Contains("test.toml:4:8: 'getty@.service' is not a valid unit name") &&
                 Contains("a template needs its instance"));
}

TEST_CASE("a restart_command's words reach the program as they are: no shell reads them", "[exec]") {
  pm::test::ScratchDir dir;
  const std::string planted = dir / "pwned";
  // Each of these would create the file if a shell saw it.
  const std::vector<std::string> words{
      fmt::format("x; touch {}", planted), fmt::format("$(touch {})", planted),
      fmt::format("`touch {}`", planted), fmt::format("x && touch {}", planted),
      fmt::format("x | touch {}", planted)};
  auto config = pm::parse_config(
      fmt::format(
          "[[service]]\nname = \"a\"\nbackend = \"none\"\nrestart_command = [\"printf\", \"%s\\\\n\", "
          "\"{}\", \"{}\", \"{}\", \"{}\", \"{}\"]\n[service.health]\nurl = \"http://127.0.0.1:1/\"\n",
          words[0], words[1], words[2], words[3], words[4]),
      "test.toml");
  REQUIRE(config);
  pm::ExecRequest request;
  request.argv = config->services.at(0).restart_command;
  request.deadline = pm::Deadline::after(pm::Duration{20000});
  pm::ProcessRunner runner;
  auto ran = runner.run(request);
  REQUIRE(ran);
  CHECK(ran->succeeded());
  CHECK(ran->out == fmt::format("{}\n{}\n{}\n{}\n{}\n", words[0], words[1], words[2], words[3], words[4]));
  CHECK_FALSE(std::filesystem::exists(planted));
}
