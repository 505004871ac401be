// Catch2's main for the integration tests, shared by every engine's
// executable, with one rule added: when the engine this executable tests
// (PM_ENGINE, a compile definition: "pm2", "docker") is not there, the run
// fails under CI=true and is reported as skipped (exit 77, which ctest shows
// as "Skipped") elsewhere. It never passes silently.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "engine_harness.hpp"

#ifndef PM_ENGINE
#error "PM_ENGINE must name the engine these tests need (tests/integration/CMakeLists.txt)"
#endif

int main(int argc, char** argv) {
  Catch::Session session;
  if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  const auto& config = session.configData();
  bool listing = config.listTests || config.listTestNamesOnly || config.listTags || config.listReporters;
  if (!listing) {
    pm::it::EngineCheck check = pm::it::find_engine_check(PM_ENGINE);
    if (check == nullptr) {
      std::cerr << "FAILED: no engine check is registered for '" << PM_ENGINE
                << "' (link its harness into this executable)\n";
      return 1;
    }
    if (auto reason = check()) {
      const char* ci = std::getenv("CI");
      if (ci != nullptr && std::strcmp(ci, "true") == 0) {
        std::cerr << "FAILED: CI=true and the " << PM_ENGINE << " engine is unavailable: " << *reason << "\n";
        return 1;
      }
      std::cerr << "SKIPPED: the " << PM_ENGINE << " engine is unavailable: " << *reason << "\n";
      return 77;
    }
  }
  return session.run();
}
