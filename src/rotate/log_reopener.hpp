#pragma once
// The seam through which rotation tells a writer to reopen its log after
// the rename method; tests pass a fake, the CLI a BackendLogReopener.
#include <expected>
#include <string>

#include "rotate/log_group.hpp"
#include "util/deadline.hpp"

namespace pm {

class LogReopener {
 public:
  virtual ~LogReopener() = default;
  // Runs `action` within `deadline` (the caller caps it at the action's
  // timeout). Returns what was done ("sent SIGHUP to pid 812 from
  // /run/nginx.pid"); unexpected: why it could not be done, with the fix.
  virtual std::expected<std::string, std::string> reopen(const ReopenAction& action, Deadline deadline) = 0;
};

}  // namespace pm
