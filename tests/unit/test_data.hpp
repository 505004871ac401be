#pragma once
// Access to the recorded real engine outputs in tests/data.
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace pm::test {

inline std::string read_test_data(const std::string& relative) {
  std::ifstream file(std::string(PM_TEST_DATA_DIR) + "/" + relative, std::ios::binary);
  if (!file) throw std::runtime_error("missing test data: " + relative);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace pm::test
