#include "config/config.hpp"

#include <fmt/format.h>

namespace pm {

std::string SourceLocation::str() const {
  // A location without a line (a value that came from no particular place) is
  // just the file; messages then still start with something the user can open.
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

const ServiceConfig* Config::find_service(std::string_view name) const {
  for (const auto& service : services) {
    if (service.name == name) return &service;
  }
  return nullptr;
}

}  // namespace pm
