#include "rotate/rotation_slot.hpp"

#include "rotate/rotated_names.hpp"

namespace pm {

std::expected<std::string, std::string> make_room_for_rotation(const LogDirectory& dir,
                                                               const std::string& live, RotatedNaming naming,
                                                               const std::tm& local, bool dry_run) {
  auto names = dir.names();
  if (!names) return std::unexpected(names.error());
  std::vector<RotatedFile> existing = rotated_files_of(live, *names, naming);
  if (naming == RotatedNaming::Dated) return dated_name(live, local, existing);
  if (!dry_run) {
    std::vector<RotatedFile> shifted = shifted_for_new(existing, live, naming);
    for (std::size_t i = existing.size(); i-- > 0;) {
      if (auto moved = dir.rename_new(existing[i].name, shifted[i].name); !moved) {
        return std::unexpected(moved.error());
      }
    }
  }
  return numbered_name(live, 1, false);
}

}  // namespace pm
