#include "rotate/partial_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

namespace pm {

void copy_owner_and_mode(int fd, const struct stat& like) {
  // Failing to chown keeps this process as the owner of a copy of data it
  // could read anyway: not worth failing the rotation for.
  bool owned =
      fchown(fd, like.st_uid, like.st_gid) == 0 || fchown(fd, static_cast<uid_t>(-1), like.st_gid) == 0;
  bool moded = fchmod(fd, like.st_mode & 0666) == 0;
  static_cast<void>(owned && moded);
}

std::expected<PartialFile, std::string> PartialFile::create(const LogDirectory& dir, std::string final_name,
                                                            const struct stat& like) {
  std::string name = final_name + std::string(kPartialSuffix);
  if (auto stale = dir.remove(name); !stale) return std::unexpected(stale.error());
  auto fd = dir.open_file(name, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (!fd) return std::unexpected(fd.error());
  copy_owner_and_mode(fd->get(), like);
  return PartialFile(dir, std::move(final_name), std::move(name), std::move(*fd));
}

PartialFile::~PartialFile() {
  if (!committed_ && dir_ != nullptr && fd_) {
    fd_.reset();
    (void)unlinkat(dir_->fd(), name_.c_str(), 0);
  }
}

std::expected<void, std::string> PartialFile::commit() {
  if (fsync(fd_.get()) != 0) return std::unexpected(os_error(fmt::format("sync {}", path()), errno));
  if (auto renamed = dir_->rename_new(name_, final_name_); !renamed) return std::unexpected(renamed.error());
  committed_ = true;
  fd_.reset();
  return dir_->sync();
}

}  // namespace pm
