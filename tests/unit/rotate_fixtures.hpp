#pragma once
// Shared by the log rotation tests: scratch directories on a chosen
// filesystem, files of numbered lines, reading logs back (gzip decompressed
// here with zlib's own gz* API, independently of the code under test), and
// a fake LogReopener.
#include <stdlib.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "rotate/log_reopener.hpp"
#include "rotate/rotate_groups.hpp"
#include "rotate/rotation_result.hpp"

namespace pm::test {

// A new directory below `base` (mode 0700, so rotation finds it safe),
// removed with its contents.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& base = std::filesystem::temp_directory_path().string()) {
    std::string pattern = base + "/pm-rotate-test-XXXXXX";
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

  // File names in the directory, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string path_;
};

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The file's text; a .gz file decompressed.
inline std::string read_log(const std::string& path) {
  if (!path.ends_with(".gz")) return read_file(path);
  gzFile file = gzopen(path.c_str(), "rb");
  REQUIRE(file != nullptr);
  std::string text;
  char buffer[65536];
  int count = 0;
  while ((count = gzread(file, buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<std::size_t>(count));
  REQUIRE(count == 0);
  gzclose(file);
  return text;
}

// "line 1\nline 2\n..." for numbers [from, to].
inline std::string numbered_lines(int from, int to) {
  std::string text;
  for (int i = from; i <= to; ++i) text += "line " + std::to_string(i) + "\n";
  return text;
}

// The same lines, 16 bytes each ("line 0000000042\n"): a line ends on
// every block boundary, where copytruncate can cut.
inline std::string fixed_width_lines(int from, int to) {
  std::string text;
  char line[32];
  for (int i = from; i <= to; ++i) {
    std::snprintf(line, sizeof line, "line %010d\n", i);
    text += line;
  }
  return text;
}

// How often each line number occurs in `text` ("line N" lines; any other
// line, and a last line without its newline, counts under -1, so a torn or
// NUL-filled line shows up).
inline std::map<int, int> line_counts(const std::string& text) {
  std::map<int, int> counts;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    bool ended = !lines.eof();
    if (ended && line.starts_with("line ") && line.size() > 5 &&
        line.find_first_not_of("0123456789", 5) == std::string::npos) {
      ++counts[std::stoi(line.substr(5))];
    } else {
      ++counts[-1];
    }
  }
  return counts;
}

// Lines `first` to `last` in `text`: how many are missing, how many appear
// more than once, and how many other lines there are (torn, NUL-filled,
// outside the range).
struct LineTally {
  int missing = 0;
  int repeated = 0;
  int other = 0;
};

inline LineTally tally_lines(const std::string& text, int last, int first = 1) {
  auto counts = line_counts(text);
  LineTally tally;
  for (const auto& [line, times] : counts) {
    if (line < first || line > last) tally.other += times;
  }
  for (int line = first; line <= last; ++line) {
    auto found = counts.find(line);
    if (found == counts.end()) {
      ++tally.missing;
    } else if (found->second > 1) {
      ++tally.repeated;
    }
  }
  return tally;
}

// Every file of `dir` whose name starts with `live`, decompressed and
// concatenated. Partial files do not count: data only there is not safe.
inline std::string all_text(const ScratchDir& dir, const std::string& live) {
  std::string text;
  for (const auto& name : dir.names()) {
    if (name.starts_with(live) && !name.ends_with(".pm-partial")) text += read_log(dir / name);
  }
  return text;
}

// The time every rotation test runs at (2027-01-15 08:00 UTC).
inline const WallTime kTestNow = WallTime(std::chrono::seconds(1'800'000'000));

// DIR/app.log, due at every run (max_size 1 byte), rotated by `method`,
// keeping up to 1000 rotated files.
inline LogGroupConfig app_log_group(const ScratchDir& dir, RotateMethod method) {
  LogGroupConfig group;
  group.paths = {dir / "app.log"};
  group.max_size = 1;
  group.keep = 1000;
  group.method = method;
  group.where = "test.toml:1:1";
  return group;
}

// A context at kTestNow that waits for no writer.
inline RotationContext test_context(LogReopener* reopener = nullptr) {
  RotationContext context;
  context.now = kTestNow;
  context.reopener = reopener;
  context.settle = Duration::zero();
  return context;
}

// A step hook that fails the `failing`-th step (counting from 1; none when
// 0) as a failed system call would, and counts the steps.
class FailingStep {
 public:
  explicit FailingStep(int failing) : failing_(failing) {}
  // The hook; this object must outlive it.
  StepHook hook() {
    return [this](std::string_view step) -> std::expected<void, std::string> {
      if (++steps != failing_) return {};
      failed = step;
      return std::unexpected("injected failure");
    };
  }

  int steps = 0;
  std::string failed;  // the step that failed, if any

 private:
  int failing_;
};

// The result's lines (verbose), one string, for INFO.
inline std::string report(const RotationResult& result) {
  std::string text;
  for (const auto& line : rotation_lines(result, true)) text += line + "\n";
  return text;
}

class FakeReopener : public LogReopener {
 public:
  std::expected<std::string, std::string> reopen(const ReopenAction& action, Deadline) override {
    ++calls;
    if (on_reopen) on_reopen();
    if (!error.empty()) return std::unexpected(error);
    return "fake " + describe(action);
  }

  int calls = 0;
  std::string error;                // when set, every reopen fails with it
  std::function<void()> on_reopen;  // e.g. the writer reopens its file
};

}  // namespace pm::test
