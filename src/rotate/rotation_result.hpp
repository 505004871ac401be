#pragma once
// What a rotation run did (or, in a dry run, would do), per group and per
// live file, and its text for the report and the log.
#include <optional>
#include <string>
#include <vector>

namespace pm {

struct FileRotation {
  std::string live;                       // the live file's path
  bool rotated = false;                   // false: skipped, see reason (or failed, see errors)
  std::optional<std::string> rotated_to;  // the new rotated file's path
  std::string reason;                     // why it rotated, or why not ("not due: size 2M of max_size 100M")
  std::vector<std::string> compressed;    // rotated files compressed (paths before ".gz")
  std::vector<std::string> removed;       // rotated files removed by retention (paths)
  std::vector<std::string> notes;         // warnings and deferrals, each a sentence
  std::vector<std::string> errors;
};

struct GroupRotation {
  std::string where;  // the [[logs]] table ("config.toml:40:1")
  std::string paths;  // its paths, joined for messages
  std::vector<FileRotation> files;
  std::optional<std::string> reopened;  // the reopen action run, when one ran and succeeded
  std::vector<std::string> notes;       // "matches nothing (missing_ok)"
  std::vector<std::string> errors;      // group-level: a path matching nothing, the reopen failed
  bool failed() const;                  // any error here or in a file
};

struct RotationResult {
  bool dry_run = false;
  std::vector<GroupRotation> groups;
  bool failed() const;
};

// One line per event, in order: "rotated /v/app.log -> /v/app.log.1 (size
// 120M reached max_size 100M)", "compressed /v/app.log.2 -> /v/app.log.2.gz",
// "removed /v/app.log.8.gz", "reopened: SIGHUP to nginx.service",
// "warning: ...", "error: ...". In a dry run, "would rotate" and so on.
// Files that were not due get a line only when `verbose`.
std::vector<std::string> rotation_lines(const RotationResult& result, bool verbose);

}  // namespace pm
