#include "state/state_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "state/atomic_file.hpp"

namespace pm {
namespace {

namespace fs = boost::filesystem;

// Far above any real state (a few KiB per service); a bigger file is not
// ours, and is not read into memory every minute.
constexpr off_t kMaxStateBytes = 16 * 1024 * 1024;

struct FileText {
  std::optional<std::string> text;  // nullopt: the file does not exist
  int error = 0;                    // errno when it exists but cannot be read
  bool oversized = false;
};

FileText read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? FileText{} : FileText{.text = std::string(), .error = errno};
  FileText result{.text = std::string()};
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    result.error = errno;
  } else if (!S_ISREG(info.st_mode)) {
    result.error = S_ISDIR(info.st_mode) ? EISDIR : EINVAL;
  } else if (info.st_size > kMaxStateBytes) {
    result.oversized = true;
  } else {
    result.text->reserve(static_cast<std::size_t>(info.st_size) + 1);  // not grown by doubling
    char buffer[65536];
    ssize_t got;
    while ((got = ::read(fd, buffer, sizeof buffer)) != 0) {
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        result.error = errno;
        break;
      }
      result.text->append(buffer, static_cast<std::size_t>(got));
    }
  }
  ::close(fd);
  return result;
}

std::string utc_stamp(std::time_t now) {
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &parts);
  return text;
}

// Renames a corrupt file out of the way, keeping it for whoever investigates.
// Two in the same second get distinct names: nothing already set aside is
// overwritten (the run lock excludes a concurrent run).
std::expected<std::string, std::string> move_aside(const std::string& path) {
  const std::string base = path + ".corrupt-" + utc_stamp(std::time(nullptr));
  std::string target = base;
  boost::system::error_code error;
  for (int n = 2; fs::exists(fs::symlink_status(target, error)); ++n) target = fmt::format("{}-{}", base, n);
  fs::rename(path, target, error);
  if (error) return std::unexpected(error.message());
  return target;
}

std::string newer_format_message(const std::string& path, std::int64_t format) {
  return fmt::format(
      "state file {} was written by a newer process-monitor (format {}; this binary knows format {}): "
      "refusing to read or overwrite it; run the newer process-monitor, or move the file away to start "
      "with empty state",
      path, format, kStateFormat);
}

// The document in `path`; Corrupt carries the bare reason ("not JSON", ...).
// With a sink, the services go to it (decode_state).
std::expected<StateDocument, StateError> read_state(const std::string& path, ServiceSink* sink) {
  FileText file = read_file(path);
  if (!file.text) return StateDocument{};
  if (file.error != 0) {
    return std::unexpected(StateError{StateError::Unreadable, fmt::format("cannot read state file {}: {}",
                                                                          path, std::strerror(file.error))});
  }
  if (file.oversized) {
    return std::unexpected(
        StateError{StateError::Corrupt, fmt::format("larger than {} MiB", kMaxStateBytes / (1024 * 1024))});
  }
  auto decoded = sink != nullptr ? decode_state(*file.text, *sink) : decode_state(*file.text);
  if (decoded) return std::move(*decoded);
  if (decoded.error().newer_format) {
    return std::unexpected(
        StateError{StateError::NewerFormat, newer_format_message(path, decoded.error().format)});
  }
  return std::unexpected(StateError{StateError::Corrupt, decoded.error().reason});
}

}  // namespace

std::expected<StateDocument, StateError> peek_state(const std::string& path) {
  auto document = read_state(path, nullptr);
  if (!document && document.error().kind == StateError::Corrupt) {
    document.error().message = fmt::format("state file {} is corrupt ({}); the next run moves it aside", path,
                                           document.error().message);
  }
  return document;
}

std::expected<StateDocument, StateError> load_state(const std::string& path, ServiceSink* sink) {
  auto document = read_state(path, sink);
  if (document || document.error().kind != StateError::Corrupt) return document;
  const std::string reason = document.error().message;
  // Corrupt state costs only history (restart counts, backoff); refusing to
  // monitor over it would cost the services. So: keep it, start afresh.
  StateDocument empty;
  auto moved = move_aside(path);
  empty.warning =
      moved ? fmt::format("state file {} is corrupt ({}); moved it to {} and started with empty state", path,
                          reason, *moved)
            : fmt::format(
                  "state file {} is corrupt ({}) and could not be moved aside ({}); started with "
                  "empty state, the next save replaces it",
                  path, reason, moved.error());
  return empty;
}

std::expected<void, std::string> save_state(const std::string& path, const StateSource& source) {
  // load_state() already refuses a newer file; checking again here keeps a
  // caller that ignored that error from destroying a newer binary's state.
  // Only the top of the file is read: its format comes first.
  if (std::ifstream existing(path, std::ios::binary); existing) {
    if (auto format = peek_state_format(existing); format && *format > kStateFormat) {
      return std::unexpected(newer_format_message(path, *format));
    }
  }
  const auto now = std::chrono::system_clock::now();
  const std::int64_t written_at =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto written = replace_file_atomically(
      path, [&](const TextSink& sink) { return write_state(source, written_at, sink); });
  if (written) return {};
  return std::unexpected(fmt::format("cannot save state file {}: {}; {}", path, written.error().cause,
                                     written.error().replaced
                                         ? "the new state is in place but may not survive a crash"
                                         : "the previous state file is kept"));
}

std::expected<void, std::string> save_state(const std::string& path, const StateDocument& document) {
  return save_state(path, DocumentSource(document));
}

}  // namespace pm
