#include "state/state_store.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>

#include "child_process.hpp"
#include "state/state_dir.hpp"
#include "state/state_document.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using pm::StateDocument;
using pm::StateError;
namespace fs = boost::filesystem;

using pm::test::in_child;

namespace {

struct ScratchDir {
  fs::path path = fs::temp_directory_path() / fs::unique_path("pm-state-test-%%%%-%%%%");
  ScratchDir() { fs::create_directories(path); }
  ~ScratchDir() {
    boost::system::error_code ignored;
    fs::permissions(path, fs::owner_all, ignored);
    fs::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> names() const {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(path)) found.push_back(entry.path().filename().string());
    std::sort(found.begin(), found.end());
    return found;
  }
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

StateDocument sample_document() {
  StateDocument document;
  document.services["backend-api"] = {{"failures", 3}, {"restarts", {1700000000, 1700000060}}};
  document.services["web"] = nlohmann::json::object();
  return document;
}

std::string save_error(const std::string& path, const StateDocument& document) {
  auto saved = pm::save_state(path, document);
  return saved ? "saved" : saved.error();
}

}  // namespace

TEST_CASE("state: a missing file, or a missing directory, is an empty document", "[state]") {
  ScratchDir dir;
  for (const std::string& path : {dir.file("none.state.json"), dir.file("no/such/dir/x.state.json")}) {
    auto loaded = pm::load_state(path);
    REQUIRE(loaded.has_value());
    CHECK(loaded->services.empty());
    CHECK(loaded->written_at == 0);
    CHECK(loaded->warning.empty());
  }
}

TEST_CASE("state: a saved document loads back as it was, stamped with the time", "[state]") {
  ScratchDir dir;
  const std::string path = dir.file("c.state.json");
  const auto before =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  REQUIRE(pm::save_state(path, sample_document()).has_value());
  auto loaded = pm::load_state(path);
  REQUIRE(loaded.has_value());
  CHECK(loaded->services == sample_document().services);
  CHECK(loaded->written_at >= before);
  CHECK(loaded->written_at <= before + 60);
  CHECK(loaded->warning.empty());

  const auto raw = nlohmann::json::parse(read_text(path));
  CHECK(raw["format"] == 1);
  CHECK(raw["written_at"] == loaded->written_at);
  CHECK(raw["services"]["backend-api"]["failures"] == 3);
}

TEST_CASE("state: a save leaves only the state file, private, and replaces the old one", "[state]") {
  ScratchDir dir;
  const std::string path = dir.file("c.state.json");
  REQUIRE(pm::save_state(path, StateDocument{}).has_value());
  REQUIRE(pm::save_state(path, sample_document()).has_value());
  CHECK(dir.names() == std::vector<std::string>{"c.state.json"});
  CHECK((fs::status(path).permissions() & fs::perms_mask) == fs::owner_read + fs::owner_write);
  CHECK(pm::load_state(path)->services.size() == 2);
}

TEST_CASE("state: a corrupt file is moved aside and the run starts empty", "[state]") {
  auto [label, content] = GENERATE(table<std::string, std::string>({
      {"garbage",
       "\x7f"
       "ELF\x02\x01 not json at all"},
      {"truncated JSON", R"({"format": 1, "written_at": 1700000000, "services": {"api": {"fail)"},
      {"empty file", ""},
      {"an array", "[1, 2, 3]"},
      {"no format", R"({"written_at": 1, "services": {}})"},
      {"format not a number", R"({"format": "1", "written_at": 1, "services": {}})"},
      {"format zero", R"({"format": 0, "written_at": 1, "services": {}})"},
      {"services not an object", R"({"format": 1, "written_at": 1, "services": []})"},
      {"a service not an object", R"({"format": 1, "written_at": 1, "services": {"api": 3}})"},
  }));
  INFO(label);
  ScratchDir dir;
  const std::string path = dir.file("c.state.json");
  write_text(path, content);
  auto loaded = pm::load_state(path);
  REQUIRE(loaded.has_value());
  CHECK(loaded->services.empty());
  CHECK_FALSE(fs::exists(path));
  const auto names = dir.names();
  REQUIRE(names.size() == 1);
  CHECK_THAT(names[0], StartsWith("c.state.json.corrupt-"));
  CHECK(read_text(dir.file(names[0])) == content);
  CHECK_THAT(loaded->warning, StartsWith("state file " + path + " is corrupt (") &&
                                  Contains("moved it to " + dir.file(names[0])));
}

TEST_CASE("state: two corrupt files in one second are both kept", "[state]") {
  ScratchDir dir;
  const std::string path = dir.file("c.state.json");
  write_text(path, "first");
  REQUIRE(pm::load_state(path).has_value());
  write_text(path, "second");
  REQUIRE(pm::load_state(path).has_value());
  REQUIRE(dir.names().size() == 2);
  CHECK(read_text(dir.file(dir.names()[0])) + read_text(dir.file(dir.names()[1])) == "firstsecond");
}

TEST_CASE("state: a newer format is refused, never moved and never overwritten", "[state]") {
  ScratchDir dir;
  const std::string path = dir.file("c.state.json");
  const std::string newer = R"({"format": 2, "history": ["whatever format 2 holds"]})";
  write_text(path, newer);
  auto loaded = pm::load_state(path);
  REQUIRE_FALSE(loaded.has_value());
  CHECK(loaded.error().kind == StateError::NewerFormat);
  CHECK_THAT(loaded.error().message,
             StartsWith("state file " + path +
                        " was written by a newer process-monitor (format 2; "
                        "this binary knows format 1): refusing to read or overwrite it"));
  CHECK_THAT(save_error(path, sample_document()),
             StartsWith("state file " + path + " was written by a newer"));
  CHECK(dir.names() == std::vector<std::string>{"c.state.json"});
  CHECK(read_text(path) == newer);
}

TEST_CASE("state: a state path that cannot be read is an error, not corruption", "[state]") {
  ScratchDir dir;
  fs::create_directory(dir.path / "c.state.json");
  auto loaded = pm::load_state(dir.file("c.state.json"));
  REQUIRE_FALSE(loaded.has_value());
  CHECK(loaded.error().kind == StateError::Unreadable);
  CHECK(loaded.error().message == "cannot read state file " + dir.file("c.state.json") + ": Is a directory");
  CHECK(fs::is_directory(dir.path / "c.state.json"));
}

TEST_CASE("state: a save into a directory it cannot write keeps the old file", "[state]") {
  ScratchDir dir;
  const std::string path = dir.file("c.state.json");
  REQUIRE(pm::save_state(path, StateDocument{}).has_value());
  const std::string old_content = read_text(path);
  fs::permissions(dir.path, geteuid() == 0 ? fs::perms(0755) : fs::perms(0555));
  const std::string error = in_child([&] { return save_error(path, sample_document()); }, true);
  fs::permissions(dir.path, fs::owner_all);
  CHECK(error == "cannot save state file " + path +
                     ": Permission denied while creating a temporary file in " + dir.path.string() +
                     "; the previous state file is kept");
  CHECK(read_text(path) == old_content);
  CHECK(dir.names() == std::vector<std::string>{"c.state.json"});
}

TEST_CASE("state: a write that fails halfway (disk full) keeps the old file, no temp left", "[state]") {
  ScratchDir dir;
  const std::string path = dir.file("c.state.json");
  REQUIRE(pm::save_state(path, StateDocument{}).has_value());
  const std::string old_content = read_text(path);
  StateDocument big;
  big.services["api"] = {{"note", std::string(4096, 'x')}};
  // A file size limit fails the write with EFBIG, as a full disk fails it with ENOSPC.
  const std::string error = in_child(
      [&] {
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{1024, 1024};
        setrlimit(RLIMIT_FSIZE, &limit);
        return save_error(path, big);
      },
      false);
  CHECK_THAT(error, StartsWith("cannot save state file " + path + ": File too large while writing " + path +
                               ".tmp-") &&
                        Contains("; the previous state file is kept"));
  CHECK(read_text(path) == old_content);
  CHECK(dir.names() == std::vector<std::string>{"c.state.json"});
}

TEST_CASE("state: a save whose directory is a file names the path and the cause", "[state]") {
  ScratchDir dir;
  write_text(dir.file("plain"), "");
  const std::string path = dir.file("plain/c.state.json");
  CHECK(save_error(path, sample_document()) == "cannot save state file " + path +
                                                   ": Not a directory while creating a temporary file in " +
                                                   dir.file("plain") + "; the previous state file is kept");
}

TEST_CASE("state dir: configured, root, XDG, home, in that order", "[state]") {
  pm::StateDirEnvironment user{.is_root = false, .xdg_state_home = "/x/state", .home = "/home/u"};
  pm::StateDirEnvironment root{.is_root = true, .xdg_state_home = "/x/state", .home = "/root"};
  CHECK(pm::choose_state_dir("/srv/./pm/", user) == "/srv/pm");
  CHECK(pm::choose_state_dir("/srv/pm", root) == "/srv/pm");
  CHECK(pm::choose_state_dir(std::nullopt, root) == "/var/lib/process-monitor");
  CHECK(pm::choose_state_dir(std::nullopt, user) == "/x/state/process-monitor");
  user.xdg_state_home = "relative/state";  // invalid by the XDG spec: ignored
  CHECK(pm::choose_state_dir(std::nullopt, user) == "/home/u/.local/state/process-monitor");
  user.xdg_state_home.clear();
  CHECK(pm::choose_state_dir(std::nullopt, user) == "/home/u/.local/state/process-monitor");
  user.home.clear();
  CHECK_THAT(pm::choose_state_dir(std::nullopt, user).error(), StartsWith("cannot choose a state directory"));
  CHECK(pm::choose_state_dir("state", root).error() == "state directory 'state' must be an absolute path");
}

TEST_CASE("state dir: one state file per config file", "[state]") {
  const std::string a = pm::state_file_path("/var/lib/pm", "/etc/pm/config.toml");
  CHECK_THAT(a, StartsWith("/var/lib/pm/config-"));
  CHECK(a.size() == std::string("/var/lib/pm/config-").size() + 12 + std::string(".state.json").size());
  CHECK(pm::state_file_path("/var/lib/pm", "/etc/pm/./x/../config.toml") == a);
  CHECK(pm::state_file_path("/var/lib/pm", "/etc/other/config.toml") != a);
  CHECK(pm::state_file_path("/var/lib/pm", fs::current_path().string() + "/rel.toml") ==
        pm::state_file_path("/var/lib/pm", "rel.toml"));
  CHECK_THAT(pm::state_file_path("/s", "/etc/.my conf;$(x).toml"), StartsWith("/s/_my_conf___x_-"));
}

TEST_CASE("state dir: created 0700 with its parents and a file in the way is named", "[state]") {
  ScratchDir dir;
  const std::string nested = dir.file("a/b/process-monitor");
  const auto existing_mode = fs::status(dir.path).permissions();
  const mode_t old_umask = umask(0);
  auto made = pm::ensure_state_dir(nested);
  umask(old_umask);
  REQUIRE(made.has_value());
  CHECK((fs::status(nested).permissions() & fs::perms_mask) == fs::owner_all);
  CHECK((fs::status(dir.file("a")).permissions() & fs::perms_mask) == fs::owner_all);
  CHECK(fs::status(dir.path).permissions() == existing_mode);  // not ours: untouched
  CHECK(pm::ensure_state_dir(nested).has_value());

  write_text(dir.file("file"), "");
  CHECK(pm::ensure_state_dir(dir.file("file/pm")).error() == "cannot create state directory " +
                                                                 dir.file("file/pm") + ": " +
                                                                 dir.file("file") + " is not a directory");
}

TEST_CASE("state dir: a directory it cannot write is reported with the fix", "[state]") {
  ScratchDir dir;
  fs::permissions(dir.path, geteuid() == 0 ? fs::perms(0755) : fs::perms(0555));
  const std::string existing = dir.path.string();
  const std::string error = in_child(
      [&] {
        auto made = pm::ensure_state_dir(existing);
        return made ? std::string("ok") : made.error();
      },
      true);
  CHECK(error == "cannot write to state directory " + existing +
                     ": Permission denied (run as its owner, or choose another state directory)");
}

TEST_CASE("state: a save reads only the top-level format of the file it replaces", "[state]") {
  CHECK(pm::peek_state_format(R"({"format": 7, "services": {}})") == 7);
  // Keys in any order; a "format" inside another object is not the file's.
  CHECK(pm::peek_state_format(R"({"services": {"format": {"format": 9}}, "format": 2})") == 2);
  CHECK(pm::peek_state_format(R"({"services": {"a": {"format": 9}}})") == std::nullopt);
  CHECK(pm::peek_state_format(R"({"format": "2"})") == std::nullopt);
  CHECK(pm::peek_state_format("not json") == std::nullopt);
  // It stops at the format: what follows may be cut off.
  CHECK(pm::peek_state_format(R"({"format": 3, "services": {"a": tru)") == 3);
  CHECK(pm::peek_state_format(pm::encode_state(StateDocument{}, 5)) == pm::kStateFormat);
}

TEST_CASE("encode_state writes exactly what a dump(2) of the whole document would", "[state]") {
  // The reference: the document as one nlohmann object, dumped at once (what
  // encode_state did before it wrote the parts one by one).
  const auto reference = [](const StateDocument& document, std::int64_t written_at) {
    nlohmann::json services = nlohmann::json::object();
    for (const auto& [name, payload] : document.services) services[name] = payload;
    nlohmann::json root = {{"format", pm::kStateFormat}, {"written_at", written_at}, {"services", services}};
    if (!document.rotation.empty()) root["rotation"] = document.rotation;
    if (!document.resources.empty()) root["resources"] = document.resources;
    return root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  };
  StateDocument empty;
  CHECK(pm::encode_state(empty, 7) == reference(empty, 7));

  StateDocument full;
  full.services["web"] = {
      {"restart_times", {1, 2, 3}},        {"limits", {{"cpu_over", 0}, {"memory_over", 2}}},
      {"last_state", "healthy"},           {"gave_up_at", nullptr},
      {"empty", nlohmann::json::object()}, {"none", nlohmann::json::array()}};
  full.services["api \"quoted\" \xff"] = nlohmann::json::object();  // escaped, invalid UTF-8 replaced
  full.services["Z-first"] = {{"a", {{"b", {{"c", "deep\nline"}}}}}};
  full.rotation = {{"/var/log/app.log", 1764150000000}};
  full.resources = {{"cpu", {{"busy", 10}, {"total", 20}}}};
  const std::string text = pm::encode_state(full, 1764150000);
  CHECK(text == reference(full, 1764150000));
  auto decoded = pm::decode_state(text);
  REQUIRE(decoded);
  CHECK(decoded->services.size() == 3);
  CHECK(decoded->services.at("web") == full.services.at("web"));
}

TEST_CASE("write_state gives the text in pieces of about 64 KiB, and stops at a refused piece", "[state]") {
  StateDocument big;
  for (int i = 0; i < 300; ++i)
    big.services[fmt::format("service-{:03}", i)] = {{"note", std::string(1000, 'x')}};
  const std::string whole = pm::encode_state(big, 1764150000);
  REQUIRE(whole.size() > 4 * 64 * 1024);

  std::vector<std::string> pieces;
  const bool written = pm::write_state(pm::DocumentSource(big), 1764150000, [&](std::string_view piece) {
    pieces.emplace_back(piece);
    return true;
  });
  CHECK(written);
  std::string joined;
  for (const auto& piece : pieces) joined += piece;
  CHECK(joined == whole);
  REQUIRE(pieces.size() >= 4);
  for (std::size_t i = 0; i + 1 < pieces.size(); ++i) {
    CHECK(pieces[i].size() >= 64 * 1024);
    CHECK(pieces[i].size() < 64 * 1024 + 1100);  // a piece ends after the service that filled it
  }

  int calls = 0;
  const bool refused = pm::write_state(pm::DocumentSource(big), 1764150000, [&](std::string_view) {
    ++calls;
    return calls < 2;
  });
  CHECK_FALSE(refused);
  CHECK(calls == 2);
}

namespace {

// Records what decode_state hands over.
struct RecordingSink : pm::ServiceSink {
  std::vector<std::pair<std::string, nlohmann::json>> taken;
  int drops = 0;
  void take(const std::string& name, nlohmann::json&& payload) override {
    taken.emplace_back(name, std::move(payload));
  }
  void drop_all() override {
    ++drops;
    taken.clear();
  }
};

}  // namespace

TEST_CASE("state: a sink gets each service as it is read, and drops them when the file fails", "[state]") {
  const std::string text = R"({"services": {"b": {"n": 1}, "a": {"n": 2}, "b": {"n": 3}},
    "rotation": {"/x.log": 5}, "format": 1, "written_at": 9})";
  RecordingSink sink;
  auto document = pm::decode_state(text, sink);
  REQUIRE(document);
  CHECK(document->services.empty());
  CHECK(document->written_at == 9);
  CHECK(document->rotation == nlohmann::json{{"/x.log", 5}});
  // In the file's order, a repeated name twice (the later one counts, as in a whole parse).
  REQUIRE(sink.taken.size() == 3);
  CHECK(sink.taken[0] == std::pair<std::string, nlohmann::json>{"b", {{"n", 1}}});
  CHECK(sink.taken[1] == std::pair<std::string, nlohmann::json>{"a", {{"n", 2}}});
  CHECK(sink.taken[2] == std::pair<std::string, nlohmann::json>{"b", {{"n", 3}}});
  CHECK(pm::decode_state(text)->services.at("b") == nlohmann::json{{"n", 3}});
  CHECK(sink.drops == 0);

  // A repeated "services" replaces the first, as in a whole parse (found by fuzz_state).
  RecordingSink twice;
  auto repeated = pm::decode_state(
      R"({"format": 1, "written_at": 1, "services": {"a": {}}, "services": {"b": {}}})", twice);
  REQUIRE(repeated);
  REQUIRE(twice.taken.size() == 1);
  CHECK(twice.taken[0].first == "b");

  // Each failure is the one a whole parse gives, and the sink is left with nothing.
  for (const std::string bad : {
           R"({"format": 1, "written_at": 1, "services": {"a": {"n": 1}, "b": {"n": )",
           R"({"services": {"a": {"n": 1}}, "format": 2, "written_at": 1})",
           R"({"format": 1, "written_at": 1, "services": {"a": {"n": 1}, "b": [1], "c": 3}})",
           R"({"format": 1, "services": {"a": {"n": 1}}})",
       }) {
    RecordingSink failing;
    auto decoded = pm::decode_state(bad, failing);
    auto whole = pm::decode_state(bad);
    REQUIRE_FALSE(decoded);
    REQUIRE_FALSE(whole);
    CHECK(decoded.error().reason == whole.error().reason);
    CHECK(decoded.error().newer_format == whole.error().newer_format);
    CHECK(failing.taken.empty());
    CHECK(failing.drops == 1);
  }
  RecordingSink shape;
  CHECK(pm::decode_state(R"({"format": 1, "written_at": 1, "services": {"a": {}, "b": [1], "c": 3}})", shape)
            .error()
            .reason == "service 'b' is not an object");
}

TEST_CASE("state: a corrupt file loaded through a sink is moved aside and leaves the sink empty", "[state]") {
  ScratchDir dir;
  const std::string path = dir.file("c.state.json");
  write_text(path, R"({"format": 1, "written_at": 1, "services": {"a": {"n": 1}, "b": )");
  RecordingSink sink;
  auto loaded = pm::load_state(path, &sink);
  REQUIRE(loaded);
  CHECK_THAT(loaded->warning, Contains("is corrupt (not JSON (truncated or garbage)); moved it to"));
  CHECK(sink.taken.empty());
  CHECK(dir.names().size() == 1);
  CHECK(dir.names()[0].find("c.state.json.corrupt-") == 0);
}
