#include "util/fd_limit.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace pm {

std::size_t make_room_for_descriptors(std::size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;  // the usual default: assume no more
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    // Only when needed, so that the commands this run starts (pm2, restart
    // commands) keep the usual limit in the common case.
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min<rlim_t>(limit.rlim_max, wanted);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? wanted : static_cast<std::size_t>(limit.rlim_cur);
}

}  // namespace pm
