#include "config/load_config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include <fmt/format.h>

#include "config/cross_checks.hpp"
#include "config/field_reader.hpp"
#include "config/file_trust.hpp"
#include "config/key_table.hpp"
#include "config/toml.hpp"

namespace pm {
namespace {

// Far beyond any real config; reading /dev/zero by mistake must still end.
constexpr std::size_t kMaxConfigSize = 4 * 1024 * 1024;

// The text of `path`; with `owner`, only when the opened file is trusted
// (checked on the descriptor read from, so the file cannot be swapped
// between the check and the read).
std::expected<std::string, std::string> read_file(const std::string& path, std::optional<uid_t> owner) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  if (owner) {
    struct stat status {};
    if (fstat(fd, &status) != 0) {
      int error = errno;
      close(fd);
      return std::unexpected(fmt::format("cannot read {}: {}", path, std::strerror(error)));
    }
    if (auto trusted = check_trusted(status, path, *owner); !trusted) {
      close(fd);
      return std::unexpected(std::move(trusted.error()));
    }
  }
  std::string text;
  char buffer[64 * 1024];
  while (true) {
    ssize_t count = read(fd, buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) {
      int error = errno;
      close(fd);
      return std::unexpected(fmt::format("cannot read {}: {}", path, std::strerror(error)));
    }
    if (count == 0) break;
    text.append(buffer, static_cast<std::size_t>(count));
    if (text.size() > kMaxConfigSize) {
      close(fd);
      return std::unexpected(fmt::format("cannot read {}: larger than {} MiB, not a config file", path,
                                         kMaxConfigSize / (1024 * 1024)));
    }
  }
  close(fd);
  return text;
}

Config assemble(const std::string& file_name, ConfigDraft&& draft) {
  Config config;
  config.path = file_name;
  config.monitor = draft.monitor;
  config.pm2 = std::move(draft.pm2);
  config.docker = std::move(draft.docker);
  config.systemd = draft.systemd;
  config.alerts = std::move(draft.alerts);
  config.logs = std::move(draft.logs);
  config.resources = std::move(draft.resources);
  config.services.reserve(draft.services.size());
  for (auto& service : draft.services) config.services.push_back(std::move(service.config));
  return config;
}

}  // namespace

std::expected<Config, std::string> parse_config(std::string_view document, const std::string& file_name,
                                                std::optional<uid_t> program_owner) {
  // toml++ reports syntax errors by exception; none may leave this function.
  try {
    FieldReader reader(file_name, program_owner);
    ConfigDraft draft;
    {
      // The tree goes before the config is assembled: with the drafts and the
      // config, 0.65 MB more at the peak of a 1000-service config (massif).
      const toml::table root = toml::parse(document, std::string_view(file_name));
      draft = read_document(reader, root);
    }
    // Cross checks on values that failed their own checks would report
    // consequences of those failures, not new problems.
    if (!reader.failed()) check_across(reader, draft);
    if (auto error = reader.error()) return std::unexpected(std::move(*error));
    return assemble(file_name, std::move(draft));
  } catch (const toml::parse_error& error) {
    SourceLocation where{file_name, static_cast<int>(error.source().begin.line),
                         static_cast<int>(error.source().begin.column)};
    return std::unexpected(fmt::format("{}: TOML syntax error: {}", where.str(), error.description()));
  } catch (const std::exception& error) {
    return std::unexpected(fmt::format("{}: cannot read the config: {}", file_name, error.what()));
  }
}

std::expected<Config, std::string> load_config(const std::string& path, std::optional<uid_t> owner) {
  auto text = read_file(path, owner);
  if (!text) return std::unexpected(std::move(text.error()));
  return parse_config(*text, path, owner);
}

std::expected<Config, std::string> load_config(const std::string& path) {
  return load_config(path, required_owner_for(geteuid()));
}

}  // namespace pm
