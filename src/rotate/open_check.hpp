#pragma once
// Whether any process still has a file open, asked of the kernel with a
// write lease (fcntl F_SETLEASE F_WRLCK): it is granted only when no other
// descriptor of the file is open anywhere. A writer told to reopen its log
// (by a signal, which it handles when it gets to it) keeps writing into the
// renamed file until it does; compressing or removing that file before
// then would lose those lines. A writer that has closed the file does not
// open the rotated name again, so one granted lease is proof enough.
#include <string>

namespace pm {

enum class OpenState {
  Closed,   // no other process (or descriptor) has the file open
  Open,     // someone does
  Unknown,  // no lease possible here (not the owner and no CAP_LEASE, or the filesystem has no leases)
};

struct OpenCheck {
  OpenState state = OpenState::Unknown;
  std::string reason;  // for Unknown: why ("Permission denied")
};

// `fd`: this process's own read-only descriptor of the file, its only one.
// The lease is released before returning.
OpenCheck check_open_elsewhere(int fd);

}  // namespace pm
