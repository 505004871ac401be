#include "rotate/open_check.hpp"

#include <fcntl.h>
#include <signal.h>

#include <cerrno>
#include <cstring>

namespace pm {

OpenCheck check_open_elsewhere(int fd) {
  // Someone opening the file while the lease is held would break it and
  // signal this process, with SIGIO unless told otherwise, whose default
  // action ends the process. SIGURG's default is to ignore it.
  if (fcntl(fd, F_SETSIG, SIGURG) != 0) return {OpenState::Unknown, std::strerror(errno)};
  if (fcntl(fd, F_SETLEASE, F_WRLCK) == 0) {
    fcntl(fd, F_SETLEASE, F_UNLCK);
    return {OpenState::Closed, {}};
  }
  if (errno == EAGAIN || errno == EBUSY) return {OpenState::Open, {}};
  return {OpenState::Unknown, std::strerror(errno)};
}

}  // namespace pm
