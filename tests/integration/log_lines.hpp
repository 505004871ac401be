#pragma once
// What the rotation tests check of the files a log writer
// (tests/engines/common/log-writer.cpp, built as PM_LOG_WRITER) wrote
// through rotations: every line it wrote is in exactly one file, none lost,
// none doubled, none torn.
#include <string>
#include <vector>

namespace pm::it {

// The lines of `path`, gunzipped when it ends in ".gz"; fails the test when
// it cannot be read.
std::vector<std::string> read_log_lines(const std::string& path);

// The live file `live` and its rotated files beside it (live.1, live.2.gz,
// live-20261126, ...), oldest first as far as names tell.
std::vector<std::string> log_family(const std::string& live);

struct LineTally {
  unsigned long highest = 0;       // the highest sequence number seen
  unsigned long lines = 0;         // lines of the writer seen
  std::vector<std::string> problems;  // "line 17 missing", "line 9 twice", "torn line 'x 1'": at most 20
};

// Tallies the "<tag> <n> <padding>" lines of `files`: each n from 1 to the highest
// should appear exactly once. Lines of other writers are ignored; anything
// else (a torn or merged line) is a problem.
LineTally tally_lines(const std::vector<std::string>& files, const std::string& tag);

}  // namespace pm::it
