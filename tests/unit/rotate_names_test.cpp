#include <catch2/catch.hpp>

#include "rotate/retention.hpp"
#include "rotate/rotated_names.hpp"

using pm::RotatedFile;
using pm::RotatedNaming;

namespace {

std::vector<std::string> names_of(const std::vector<RotatedFile>& files) {
  std::vector<std::string> names;
  for (const auto& file : files) names.push_back(file.name);
  return names;
}

std::vector<RotatedFile> with_sizes(std::vector<RotatedFile> files, std::uint64_t size) {
  for (auto& file : files) file.size = size;
  return files;
}

std::tm at(int year, int month, int day, int hour, int minute, int second) {
  std::tm local{};
  local.tm_year = year - 1900;
  local.tm_mon = month - 1;
  local.tm_mday = day;
  local.tm_hour = hour;
  local.tm_min = minute;
  local.tm_sec = second;
  return local;
}

}  // namespace

TEST_CASE("numbered rotated files are found newest first, and only those", "[rotate][naming]") {
  std::vector<std::string> names{
      "app.log",      "app.log.10.gz", "app.log.2.gz",     "app.log.1",     "app.log.3",
      "app.log.3.gz", "app.log.0",     "app.log.01",       "app.log.x",     "app.log.2.gz.pm-partial",
      "app.logs.1",   "other.log.1",   "app.log-20261126", "app.log.1.bak", "app.log.4.GZ"};
  auto files = pm::rotated_files_of("app.log", names, RotatedNaming::Numbered);
  CHECK(names_of(files) ==
        std::vector<std::string>{"app.log.1", "app.log.2.gz", "app.log.3", "app.log.3.gz", "app.log.10.gz"});
  CHECK(files[1].compressed);
  CHECK(files[1].plain_name() == "app.log.2");
  CHECK(files[2].generation == files[3].generation);  // one generation, compression interrupted
}

TEST_CASE("dated rotated files sort by date, time and counter", "[rotate][naming]") {
  std::vector<std::string> names{"app.log-20261126-093000",
                                 "app.log-20261125.gz",
                                 "app.log-20261126",
                                 "app.log-20261126-093000-2",
                                 "app.log-20261126-093000-10.gz",
                                 "app.log-2026112",
                                 "app.log-20261126-0930",
                                 "app.log.1",
                                 "app.log-20261126-093000-0",
                                 "x-app.log-20261126"};
  auto files = pm::rotated_files_of("app.log", names, RotatedNaming::Dated);
  CHECK(names_of(files) == std::vector<std::string>{"app.log-20261126-093000-10.gz",
                                                    "app.log-20261126-093000-2", "app.log-20261126-093000",
                                                    "app.log-20261126", "app.log-20261125.gz"});
}

TEST_CASE("a live file whose name has dashes and dots is told apart", "[rotate][naming]") {
  CHECK(pm::parse_rotated_name("my-app-2.log", "my-app-2.log-20261126", RotatedNaming::Dated));
  CHECK_FALSE(pm::parse_rotated_name("my-app-2.log", "my-app-2.log", RotatedNaming::Dated));
  CHECK(pm::parse_rotated_name("app.1", "app.1.2", RotatedNaming::Numbered)->generation[0] == 2);
  CHECK_FALSE(pm::parse_rotated_name("app", "app.1", RotatedNaming::Dated));
}

TEST_CASE("a dated name gets a time, then a counter, only when the day is taken", "[rotate][naming]") {
  auto morning = at(2026, 11, 26, 9, 30, 0);
  CHECK(pm::dated_name("app.log", morning, {}) == "app.log-20261126");
  auto existing = pm::rotated_files_of("app.log", {"app.log-20261125.gz"}, RotatedNaming::Dated);
  CHECK(pm::dated_name("app.log", morning, existing) == "app.log-20261126");
  existing = pm::rotated_files_of("app.log", {"app.log-20261126.gz"}, RotatedNaming::Dated);
  CHECK(pm::dated_name("app.log", morning, existing) == "app.log-20261126-093000");
  existing = pm::rotated_files_of("app.log", {"app.log-20261126.gz", "app.log-20261126-093000"},
                                  RotatedNaming::Dated);
  CHECK(pm::dated_name("app.log", morning, existing) == "app.log-20261126-093000-2");
  existing.push_back(*pm::parse_rotated_name("app.log", "app.log-20261126-093000-2", RotatedNaming::Dated));
  CHECK(pm::dated_name("app.log", morning, existing) == "app.log-20261126-093000-3");
  // The day's first file was removed by retention: a later one must still
  // sort newer than the day's remaining files, so it gets a time.
  existing = pm::rotated_files_of("app.log", {"app.log-20261126-080000"}, RotatedNaming::Dated);
  CHECK(pm::dated_name("app.log", morning, existing) == "app.log-20261126-093000");
  // Whatever name it picks sorts as the newest.
  std::vector<std::string> names{"app.log-20261126-080000", pm::dated_name("app.log", morning, existing)};
  CHECK(names_of(pm::rotated_files_of("app.log", names, RotatedNaming::Dated)).front() == names[1]);
}

TEST_CASE("numbered names shift up by one for a new rotated file", "[rotate][naming]") {
  auto files =
      pm::rotated_files_of("a.log", {"a.log.1", "a.log.2.gz", "a.log.5.gz"}, RotatedNaming::Numbered);
  CHECK(names_of(pm::shifted_for_new(files, "a.log", RotatedNaming::Numbered)) ==
        std::vector<std::string>{"a.log.2", "a.log.3.gz", "a.log.6.gz"});
  auto dated = pm::rotated_files_of("a.log", {"a.log-20261126"}, RotatedNaming::Dated);
  CHECK(names_of(pm::shifted_for_new(dated, "a.log", RotatedNaming::Dated)) ==
        std::vector<std::string>{"a.log-20261126"});
}

TEST_CASE("glob matches shaped like rotated or partial files are recognized", "[rotate][naming]") {
  for (const char* name : {"app.log.1", "app.log.12.gz", "app.log-20261126", "app.log-20261126-093000-2",
                           "x.gz", "app.log.1.gz.pm-partial", "app.log.pm-partial"}) {
    INFO(name);
    CHECK(pm::looks_rotated(name));
  }
  for (const char* name : {"app.log", "app-2.log", "access_log", "app.log.0", "v1.2.log", ".1"}) {
    INFO(name);
    CHECK_FALSE(pm::looks_rotated(name));
  }
}

TEST_CASE("retention keeps the newest generations and removes the oldest first", "[rotate][retention]") {
  auto files = with_sizes(
      pm::rotated_files_of("a.log", {"a.log.1", "a.log.2.gz", "a.log.3.gz", "a.log.4.gz", "a.log.5.gz"},
                           RotatedNaming::Numbered),
      100);
  CHECK(names_of(pm::plan_removals(files, 3, std::nullopt)) ==
        std::vector<std::string>{"a.log.5.gz", "a.log.4.gz"});
  CHECK(pm::plan_removals(files, 5, std::nullopt).empty());
  CHECK(pm::plan_removals(files, 9, std::nullopt).empty());
  CHECK(names_of(pm::plan_removals(files, 0, std::nullopt)) ==
        std::vector<std::string>{"a.log.5.gz", "a.log.4.gz", "a.log.3.gz", "a.log.2.gz", "a.log.1"});
}

TEST_CASE("max_total removes the oldest until the rest fit, even the newest", "[rotate][retention]") {
  auto files =
      pm::rotated_files_of("a.log", {"a.log.1", "a.log.2.gz", "a.log.3.gz"}, RotatedNaming::Numbered);
  files[0].size = 500;
  files[1].size = 300;
  files[2].size = 200;
  CHECK(pm::plan_removals(files, 7, 1000).empty());
  CHECK(names_of(pm::plan_removals(files, 7, 999)) == std::vector<std::string>{"a.log.3.gz"});
  CHECK(names_of(pm::plan_removals(files, 7, 800)) == std::vector<std::string>{"a.log.3.gz"});
  CHECK(names_of(pm::plan_removals(files, 7, 799)) == std::vector<std::string>{"a.log.3.gz", "a.log.2.gz"});
  CHECK(pm::plan_removals(files, 7, 10).size() == 3);
  // keep applies first: max_total counts only what keep leaves.
  CHECK(names_of(pm::plan_removals(files, 1, 600)) == std::vector<std::string>{"a.log.3.gz", "a.log.2.gz"});
}

TEST_CASE("both files of an interrupted compression go or stay together", "[rotate][retention]") {
  auto files = with_sizes(
      pm::rotated_files_of("a.log", {"a.log.1", "a.log.2", "a.log.2.gz"}, RotatedNaming::Numbered), 10);
  CHECK(names_of(pm::plan_removals(files, 1, std::nullopt)) ==
        std::vector<std::string>{"a.log.2", "a.log.2.gz"});
  CHECK(pm::plan_removals(files, 2, std::nullopt).empty());
}

TEST_CASE("compression takes every uncompressed file, but the newest with delay_compress",
          "[rotate][retention]") {
  auto files =
      pm::rotated_files_of("a.log", {"a.log.1", "a.log.2", "a.log.3.gz", "a.log.4"}, RotatedNaming::Numbered);
  CHECK(names_of(pm::plan_compressions(files, false)) ==
        std::vector<std::string>{"a.log.4", "a.log.2", "a.log.1"});
  CHECK(names_of(pm::plan_compressions(files, true)) == std::vector<std::string>{"a.log.4", "a.log.2"});
  CHECK(pm::plan_compressions({}, true).empty());
}
