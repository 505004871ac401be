#include "log_lines.hpp"

#include <zlib.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <charconv>
#include <chrono>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "engine_harness.hpp"

namespace fs = boost::filesystem;

namespace pm::it {
namespace {

std::string gunzip(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) FAIL("cannot open " << path);
  std::string text;
  char buffer[65536];
  int got;
  while ((got = gzread(file, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(got));
  int error = 0;
  const char* message = gzerror(file, &error);
  gzclose(file);
  if (got < 0) FAIL("cannot gunzip " << path << ": " << message);
  return text;
}

}  // namespace

std::vector<std::string> read_log_lines(const std::string& path) {
  const std::string text = path.ends_with(".gz") ? gunzip(path) : read_text(path);
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> log_family(const std::string& live) {
  const fs::path live_path(live);
  const std::string base = live_path.filename().string();
  std::vector<std::string> rotated;
  for (fs::directory_iterator it(live_path.parent_path()), end; it != end; ++it) {
    const std::string name = it->path().filename().string();
    if (name.size() <= base.size() || !name.starts_with(base)) continue;
    const char separator = name[base.size()];
    if (name.ends_with(".last") || (separator != '.' && separator != '-')) continue;
    rotated.push_back(it->path().string());
  }
  // Numbered: the highest number is the oldest; dated: the earliest date.
  std::ranges::sort(rotated, [&](const std::string& a, const std::string& b) {
    auto number = [&](const std::string& path) {
      unsigned long n = 0;
      const std::string rest = fs::path(path).filename().string().substr(base.size() + 1);
      std::from_chars(rest.data(), rest.data() + rest.size(), n);
      return n;
    };
    const unsigned long na = number(a), nb = number(b);
    return na != nb ? na > nb : a < b;
  });
  rotated.push_back(live);
  return rotated;
}

LineTally tally_lines(const std::vector<std::string>& files, const std::string& tag) {
  LineTally tally;
  std::vector<unsigned> seen;
  auto problem = [&](std::string text) {
    if (tally.problems.size() < 20) tally.problems.push_back(std::move(text));
  };
  const std::string prefix = tag + " ";
  for (const auto& file : files) {
    for (const auto& line : read_log_lines(file)) {
      if (!line.starts_with(prefix)) {
        if (line.find(prefix) != std::string::npos) problem(fmt::format("torn line '{}' in {}", line, file));
        continue;
      }
      unsigned long n = 0;
      auto [end, error] = std::from_chars(line.data() + prefix.size(), line.data() + line.size(), n);
      // The writer pads line n with (n * 7) % 23 'x's: any other rest is a torn line.
      const std::string rest(end, line.data() + line.size());
      if (error != std::errc() || n == 0 || rest != " " + std::string((n * 7) % 23, 'x')) {
        problem(fmt::format("torn line '{}' in {}", line, file));
        continue;
      }
      if (seen.size() < n + 1) seen.resize(n + 1, 0);
      ++seen[n];
      ++tally.lines;
      tally.highest = std::max(tally.highest, n);
    }
  }
  for (unsigned long n = 1; n <= tally.highest; ++n) {
    if (seen[n] == 0) ++tally.missing;
    if (seen[n] == 0) problem(fmt::format("line {} missing", n));
    if (seen[n] > 1) problem(fmt::format("line {} {} times", n, seen[n]));
  }
  return tally;
}

void wait_for_size(const std::string& path, std::uintmax_t bytes) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  boost::system::error_code error;
  while (fs::file_size(path, error) < bytes || error) {
    if (std::chrono::steady_clock::now() > until) FAIL(path << " did not reach " << bytes << " bytes");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void check_every_line_once(const std::string& live, const std::string& tag, unsigned long at_least) {
  auto files = log_family(live);
  auto tally = tally_lines(files, tag);
  std::string listing;
  for (const auto& file : files) listing += "  " + file + "\n";
  INFO("files:\n" << listing << "highest line " << tally.highest << ", lines " << tally.lines);
  for (const auto& problem : tally.problems) INFO(problem);
  CHECK(tally.problems.empty());
  CHECK(tally.lines == tally.highest);
  CHECK(tally.highest >= at_least);
}

void check_every_written_line_once(const std::string& live, const std::string& tag) {
  auto last_text = read_text(live + ".last");
  INFO(live << ".last: '" << last_text << "'");
  REQUIRE_FALSE(last_text.empty());
  const unsigned long last = std::stoul(last_text);
  check_every_line_once(live, tag, last);
  CHECK(tally_lines(log_family(live), tag).highest == last);
}

void check_compressed_rotations(const std::string& live, const std::string& tag, int rotations) {
  check_every_written_line_once(live, tag);
  std::vector<std::string> expected;
  for (int n = rotations; n >= 1; --n) expected.push_back(fmt::format("{}.{}.gz", live, n));
  expected.push_back(live);
  CHECK(log_family(live) == expected);
}

std::vector<MonitorRun> rotate_while_writing(const std::string& live, const std::string& config,
                                             const std::string& state_dir, int runs, std::uintmax_t grown_to,
                                             const std::string& reopened, const EnvList& env) {
  std::vector<MonitorRun> done;
  for (int i = 0; i < runs; ++i) {
    wait_for_size(live, grown_to);
    auto run = run_monitor({"rotate", "-c", config, "--state-dir", state_dir}, env);
    INFO("run " << i + 1 << " stdout:\n" << run.out << "stderr:\n" << run.err);
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.out, Catch::Contains("rotated " + live + " -> " + live + ".1") &&
                            Catch::Contains("reopened: ") && Catch::Contains(reopened));
    done.push_back(std::move(run));
  }
  return done;
}

void check_reopened_in_each_run(const std::vector<MonitorRun>& runs, const std::string& live) {
  for (const auto& run : runs) {
    INFO("stdout:\n" << run.out);
    CHECK_THAT(run.out, Catch::Contains("compressed " + live + ".1 -> " + live + ".1.gz"));
  }
}

MonitorRun rotate_with_failing_reopen(const std::string& live, const std::string& config,
                                      const std::string& state_dir, const EnvList& env) {
  wait_for_size(live, 2 * 1024 * 1024);
  auto run = run_monitor({"rotate", "-c", config, "--state-dir", state_dir}, env);
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.out, Catch::Contains("rotated " + live + " -> " + live + ".1"));
  CHECK_THAT(run.out, !Catch::Contains("reopened: "));
  return run;
}

void check_writer_kept_renamed_file(const std::string& live) {
  const auto renamed_size = fs::file_size(live + ".1");
  wait_for_size(live + ".1", renamed_size + 64 * 1024);
  CHECK(fs::file_size(live) == 0);
  CHECK_FALSE(fs::exists(live + ".1.gz"));
}

}  // namespace pm::it
