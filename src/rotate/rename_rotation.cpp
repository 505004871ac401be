#include "rotate/rename_rotation.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "rotate/open_check.hpp"

namespace pm {
namespace {

struct Ownership {
  uid_t uid;
  gid_t gid;
  mode_t mode;
};

// `text` as an id: a number when it is all digits (as chown(1) reads them),
// else a name looked up with `by_name`. `key` and `kind` name it in messages.
template <typename Id>
std::expected<Id, std::string> id_of(const std::string& text, std::optional<Id> (*by_name)(const char*),
                                     std::string_view key, std::string_view kind) {
  Id id{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec == std::errc{} && end == text.data() + text.size()) return id;
  if (auto named = by_name(text.c_str())) return *named;
  return std::unexpected(fmt::format("{} '{}' is not a {} on this machine", key, text, kind));
}

std::optional<uid_t> user_id(const char* name) {
  const passwd* entry = getpwnam(name);
  return entry != nullptr ? std::optional<uid_t>(entry->pw_uid) : std::nullopt;
}

std::optional<gid_t> group_id(const char* name) {
  const group* entry = getgrnam(name);
  return entry != nullptr ? std::optional<gid_t>(entry->gr_gid) : std::nullopt;
}

std::expected<Ownership, std::string> ownership_of(const CreateSpec& create, const struct stat& old) {
  Ownership owner{old.st_uid, old.st_gid, static_cast<mode_t>(old.st_mode & 0777)};
  if (create.owner) {
    auto uid = id_of<uid_t>(*create.owner, user_id, "create_owner", "user");
    if (!uid) return std::unexpected(uid.error());
    owner.uid = *uid;
  }
  if (create.group) {
    auto gid = id_of<gid_t>(*create.group, group_id, "create_group", "group");
    if (!gid) return std::unexpected(gid.error());
    owner.gid = *gid;
  }
  if (create.mode) owner.mode = *create.mode;
  return owner;
}

// Whether this process may give a file `owner`: root may; others only to
// themselves and to a group they belong to. Asked before the rename, so a
// refusal leaves the log untouched.
std::expected<void, std::string> check_may_give(const Ownership& owner, const std::string& path) {
  if (geteuid() == 0) return {};
  bool group_ok = owner.gid == getegid();
  std::vector<gid_t> groups(static_cast<std::size_t>(std::max(getgroups(0, nullptr), 0)));
  if (getgroups(static_cast<int>(groups.size()), groups.data()) >= 0) {
    group_ok = group_ok || std::ranges::find(groups, owner.gid) != groups.end();
  }
  if (owner.uid == geteuid() && group_ok) return {};
  return std::unexpected(
      fmt::format("cannot create the new {} with owner {}:{}: only root can give files to "
                  "other users and groups; run process-monitor as root or set create_owner "
                  "and create_group to its own",
                  path, owner.uid, owner.gid));
}

// Gives the new, still empty live file its owner and mode. Created with
// mode 0600, it is never open to anyone it should not be.
std::expected<void, std::string> set_owner_and_mode(int fd, const std::string& path, const Ownership& owner) {
  if (fchown(fd, owner.uid, owner.gid) != 0) {
    return std::unexpected(
        os_error(fmt::format("give {} the owner {}:{}", path, owner.uid, owner.gid), errno));
  }
  if (fchmod(fd, owner.mode) != 0) {
    return std::unexpected(os_error(fmt::format("set the mode of {} to {:04o}", path, owner.mode), errno));
  }
  return {};
}

// Undoes the rename after the new live file could not be made. A new live
// file this process created is removed only while it is still empty and
// nobody has it open (a writer that reopened on its own may use it).
std::string undo_rename(const LogDirectory& dir, const std::string& live, const std::string& rotated_name,
                        const UniqueFd* created, std::string error) {
  if (created != nullptr) {
    struct stat info {};
    bool unused = fstat(created->get(), &info) == 0 && info.st_size == 0 &&
                  check_open_elsewhere(created->get()).state == OpenState::Closed;
    if (!unused || !dir.remove(live)) {
      return fmt::format("{}; the log is now {} and the new {} is in use", error, dir.path_of(rotated_name),
                         dir.path_of(live));
    }
  }
  if (auto restored = dir.rename_new(rotated_name, live); !restored) {
    return fmt::format("{}; could not put the log back ({}): its lines are all in {}", error,
                       restored.error(), dir.path_of(rotated_name));
  }
  return fmt::format("{}; the log was put back, nothing rotated", error);
}

}  // namespace

std::expected<void, std::string> rotate_by_rename(const LogDirectory& dir, const std::string& live,
                                                  const std::string& rotated_name, const CreateSpec& create,
                                                  const struct stat& old) {
  auto owner = ownership_of(create, old);
  if (!owner) return std::unexpected(owner.error());
  std::string path = dir.path_of(live);
  if (auto allowed = check_may_give(*owner, path); !allowed) return std::unexpected(allowed.error());
  if (auto renamed = dir.rename_new(live, rotated_name); !renamed) return std::unexpected(renamed.error());
  auto fd = dir.open_file(live, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (!fd) return std::unexpected(undo_rename(dir, live, rotated_name, nullptr, fd.error()));
  auto owned = set_owner_and_mode(fd->get(), path, *owner);
  if (!owned) return std::unexpected(undo_rename(dir, live, rotated_name, &*fd, owned.error()));
  return dir.sync();
}

}  // namespace pm
