#pragma once
// Refusing to rotate in a directory other users can write to. Whoever can
// create and rename files there can swap the live log for a hard link or a
// symbolic link between two rotation steps, and so make a rotator running
// as root create, chown, compress or remove files it never meant to: the
// problem logrotate's `su` directive exists for. Like logrotate, a
// directory is unsafe when it is writable by everyone, or by a group other
// than root.
#include <sys/stat.h>

#include <expected>
#include <string>

namespace pm {

// `dir` and its stat (following symbolic links: the directory the files
// really are in). Unexpected: the message says who can write there, why
// that is a problem and the three ways out (fix the mode, run as the
// directory's owner, or allow_unsafe_dir).
std::expected<void, std::string> check_directory_safety(const std::string& dir, const struct stat& info);

}  // namespace pm
