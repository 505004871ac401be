#pragma once
// The PM2 process list straight from the daemon's RPC socket
// (PM2_HOME/rpc.sock): the same getMonitorData call that `pm2 jlist` makes,
// without starting Node (about 1 ms instead of 0.2-0.4 s). This socket is how
// PM2's own CLI and its programmatic API (require('pm2').list) talk to the
// daemon; the wire format is in pm2_axon.hpp.
#include <cstddef>
#include <expected>
#include <string>

#include "util/deadline.hpp"

namespace pm {

struct Pm2RpcFailure {
  enum class Kind {
    Unreachable,  // the socket could not be used (missing, refused, not permitted)
    TimedOut,     // the daemon did not answer by the deadline
    Failed,       // the daemon answered an error or something that is not a reply
  };
  Kind kind = Kind::Failed;
  std::string message;
};

// The JSON text of the process list, exactly what `pm2 jlist` prints
// (JSON.stringify of the same array). Nothing runs past `deadline`; an answer
// over `max_size` bytes is refused.
std::expected<std::string, Pm2RpcFailure> pm2_rpc_process_list(const std::string& socket_path,
                                                               Deadline deadline,
                                                               std::size_t max_size = 64 * 1024 * 1024);

}  // namespace pm
