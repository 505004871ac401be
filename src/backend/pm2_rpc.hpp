#pragma once
// The PM2 process list straight from the daemon's RPC socket
// (PM2_HOME/rpc.sock): the same getMonitorData call that `pm2 jlist` makes,
// without starting Node (about 1 ms instead of 0.2-0.4 s). This socket is how
// PM2's own CLI and its programmatic API (require('pm2').list) talk to the
// daemon; the wire format is in pm2_axon.hpp.
#include <cstddef>
#include <expected>
#include <functional>
#include <istream>
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

// Reads the process list's JSON text from `in`, which gives exactly the
// list's bytes as they arrive and then ends; or says why it is not a list.
using Pm2ListReader = std::function<std::expected<void, std::string>(std::istream& in)>;

// Calls getMonitorData and hands the list to `read` while it arrives: the
// same JSON text `pm2 jlist` prints (JSON.stringify of the same array). It
// is never held whole: PM2 sends each app's environment, about 4.4 KB an
// app, and holding 1000 apps' answer was a third of the run's memory.
// Nothing runs past `deadline`; an answer over `max_size` bytes is refused;
// a list `read` refuses is Failed with its message.
std::expected<void, Pm2RpcFailure> pm2_rpc_process_list(const std::string& socket_path, Deadline deadline,
                                                        const Pm2ListReader& read,
                                                        std::size_t max_size = 64 * 1024 * 1024);

}  // namespace pm
