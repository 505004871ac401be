// toml++'s implementation, compiled into process-monitor here rather than
// loaded from libtomlplusplus.so.3 at every start (one shared library fewer:
// bench/results/analysis.md). The other files include toml++ with
// TOML_HEADER_ONLY=0 (src/CMakeLists.txt) and see declarations only.
#define TOML_IMPLEMENTATION 1
#include "config/toml.hpp"
