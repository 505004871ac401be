#pragma once
// A file written under a temporary name next to its final one,
// "<final>.pm-partial", and renamed into place only once complete and
// synced: a crash or a full disk never leaves a half-written file under a
// name rotation would trust.
#include <sys/stat.h>

#include <expected>
#include <string>
#include <string_view>

#include "rotate/log_directory.hpp"
#include "util/unique_fd.hpp"

namespace pm {

inline constexpr std::string_view kPartialSuffix = ".pm-partial";

// Gives `fd` the owner and permission bits of `like` (the owner only where
// this process may: as root, or when it already owns it).
void copy_owner_and_mode(int fd, const struct stat& like);

class PartialFile {
 public:
  // Creates "<final_name>.pm-partial" in `dir`, with the owner and mode of
  // `like`. A partial file of that name left by a crashed run is removed
  // first: only rotation makes such names. `dir` must outlive this.
  static std::expected<PartialFile, std::string> create(const LogDirectory& dir, std::string final_name,
                                                        const struct stat& like);
  PartialFile(PartialFile&& other) noexcept = default;
  PartialFile& operator=(PartialFile&&) = delete;
  PartialFile(const PartialFile&) = delete;
  // Removes the partial file unless it was committed.
  ~PartialFile();

  int fd() const { return fd_.get(); }
  std::string path() const { return dir_->path_of(name_); }

  // fsync, rename to the final name (never replacing one), sync the
  // directory. Afterwards the file is the final one and is kept.
  std::expected<void, std::string> commit();

 private:
  PartialFile(const LogDirectory& dir, std::string final_name, std::string name, UniqueFd fd)
      : dir_(&dir), final_name_(std::move(final_name)), name_(std::move(name)), fd_(std::move(fd)) {}

  const LogDirectory* dir_;
  std::string final_name_;
  std::string name_;
  UniqueFd fd_;
  bool committed_ = false;
};

}  // namespace pm
