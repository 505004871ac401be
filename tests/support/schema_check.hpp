#pragma once
// Validates a JSON document against one of the schemas in schema/ with
// tests/schema/validate.py (Debian's python3-jsonschema), run through the
// project's ProcessRunner: argv only, no shell. Header-only, for the unit and
// the integration tests (both link process_monitor_lib).
#include <boost/filesystem.hpp>
#include <fstream>
#include <string>

#include "util/exec.hpp"

namespace pm::test {

struct SchemaCheck {
  int exit_code = -1;  // 0 valid, 1 invalid, 2 the validator could not run (unreadable file, no jsonschema)
  std::string errors;  // one line per error: "FILE: $.services[0].probe: 'latency_ms' is a required property"
};

// `repo_root` holds schema/ and tests/schema/; `schema` is a file name in schema/.
inline SchemaCheck check_against_schema(const std::string& repo_root, const std::string& schema,
                                        const std::string& document) {
  namespace fs = boost::filesystem;
  const fs::path file = fs::temp_directory_path() / fs::unique_path("pm-schema-check-%%%%%%%%.json");
  std::ofstream(file.string(), std::ios::binary) << document;
  ExecRequest request;
  request.argv = {repo_root + "/tests/schema/validate.py", repo_root + "/schema/" + schema, file.string()};
  request.deadline = Deadline::after(Duration{30000});
  ProcessRunner runner;
  auto result = runner.run(request);
  fs::remove(file);
  if (!result) return SchemaCheck{-1, result.error()};
  return SchemaCheck{result->exit_code, result->err + result->out};
}

}  // namespace pm::test
