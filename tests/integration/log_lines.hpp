#pragma once
// What the rotation tests check of the files a log writer
// (tests/engines/common/log-writer.cpp, built as PM_LOG_WRITER) wrote
// through rotations: every line it wrote is in exactly one file, none lost,
// none doubled, none torn; and the rotate runs the PM2, systemd and Docker
// rotation tests make while it writes.
#include <cstdint>
#include <string>
#include <vector>

#include "engine_harness.hpp"

namespace pm::it {

// The lines of `path`, gunzipped when it ends in ".gz"; fails the test when
// it cannot be read.
std::vector<std::string> read_log_lines(const std::string& path);

// The live file `live` and its rotated files beside it (live.1, live.2.gz,
// live-20261126, ...), oldest first as far as names tell.
std::vector<std::string> log_family(const std::string& live);

struct LineTally {
  unsigned long highest = 0;          // the highest sequence number seen
  unsigned long lines = 0;            // lines of the writer seen
  unsigned long missing = 0;          // numbers from 1 to highest seen in no file
  std::vector<std::string> problems;  // "line 17 missing", "line 9 twice", "torn line 'x 1'": at most 20
};

// Tallies the "<tag> <n> <padding>" lines of `files`: each n from 1 to the highest
// should appear exactly once. Lines of other writers are ignored; anything
// else (a torn or merged line) is a problem.
LineTally tally_lines(const std::vector<std::string>& files, const std::string& tag);

// Waits (up to a hang-detecting 20 s) until `path` holds at least `bytes`;
// fails the test otherwise.
void wait_for_size(const std::string& path, std::uintmax_t bytes);

// Checks that every line of `tag` from 1 to the highest is in exactly one
// file of log_family(live), none torn, and that the highest is at least
// `at_least`.
void check_every_line_once(const std::string& live, const std::string& tag, unsigned long at_least);

// The same for a writer that has stopped: the last n it wrote (from
// live.last, which it writes on SIGTERM) is the highest line, and every line
// up to it is in exactly one file.
void check_every_written_line_once(const std::string& live, const std::string& tag);

// After `rotations` rotations of `live` with compression, its writer
// stopped: every line it wrote is in exactly one file
// (check_every_written_line_once), and beside live are live.1.gz to
// live.ROTATIONS.gz and nothing else.
void check_compressed_rotations(const std::string& live, const std::string& tag, int rotations);

// `process-monitor rotate -c config --state-dir state_dir` (with `env`),
// `runs` times while a writer appends to `live`, each run once `live` holds
// `grown_to` bytes (after the first run, a new live file grows only if the
// writer reopened it). Checks that every run exits 0, rotates live to live.1
// and reports "reopened: " with `reopened` in it. Returns the runs.
std::vector<MonitorRun> rotate_while_writing(const std::string& live, const std::string& config,
                                             const std::string& state_dir, int runs, std::uintmax_t grown_to,
                                             const std::string& reopened, const EnvList& env = {});

// Checks that every run of `runs` compressed live.1: its writer had closed
// the renamed file within the run, so the reopen reached it.
void check_reopened_in_each_run(const std::vector<MonitorRun>& runs, const std::string& live);

// `process-monitor rotate` once, when `live` holds 2M, with a group whose
// reopen fails: checks that it exits 2, renames live to live.1 and reports
// nothing reopened. Returns the run (its stderr should say why).
MonitorRun rotate_with_failing_reopen(const std::string& live, const std::string& config,
                                      const std::string& state_dir, const EnvList& env = {});

// After a rotation whose reopen failed: checks that the writer, never told,
// goes on appending to live.1 (left uncompressed while it is open) and that
// live stays empty.
void check_writer_kept_renamed_file(const std::string& live);

}  // namespace pm::it
