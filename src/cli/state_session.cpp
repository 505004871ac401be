#include "cli/state_session.hpp"

#include <spdlog/spdlog.h>

#include "policy/history_json.hpp"
#include "state/state_dir.hpp"
#include "state/state_store.hpp"

namespace pm {

std::expected<std::string, std::string> StateSession::locate(const Config& config,
                                                             const std::optional<std::string>& state_dir) {
  auto dir =
      choose_state_dir(state_dir ? state_dir : config.monitor.state_dir, process_state_dir_environment());
  if (!dir) return std::unexpected(dir.error());
  if (auto made = ensure_state_dir(*dir); !made) return std::unexpected(made.error());
  return state_file_path(*dir, config.path);
}

std::expected<StateSession, SessionError> StateSession::open(const Config& config,
                                                             const std::optional<std::string>& state_dir,
                                                             Duration wait_lock, const Interrupt& interrupt) {
  auto path = locate(config, state_dir);
  if (!path) return std::unexpected(SessionError{false, path.error()});
  return open_at(*path, wait_lock, interrupt);
}

std::expected<StateSession, SessionError> StateSession::open_at(const std::string& path, Duration wait_lock,
                                                                const Interrupt& interrupt) {
  auto lock = RunLock::acquire(path, wait_lock, &interrupt);
  if (!lock) {
    return std::unexpected(SessionError{lock.error().kind == LockError::Busy, lock.error().message});
  }
  auto document = load_state(path);
  if (!document) return std::unexpected(SessionError{false, document.error().message});
  if (!document->warning.empty()) spdlog::warn("{}", document->warning);

  StateSession session(std::move(*lock), path, std::move(*document));
  for (const auto& [name, json] : session.document_.services) {
    auto history = history_from_json(json);
    if (history) {
      session.histories_[name] = *history;
    } else {
      spdlog::warn("state file {}: the history of {} is unreadable ({}); starting it afresh", path, name,
                   history.error());
    }
  }
  if (auto rotation = rotation_state_from_json(session.document_.rotation)) {
    session.rotation_ = std::move(*rotation);
  } else {
    spdlog::warn("state file {}: the log rotation state is unreadable ({}); every file's age starts afresh",
                 path, rotation.error());
  }
  return session;
}

std::expected<void, std::string> StateSession::save() {
  for (const auto& [name, history] : histories_) document_.services[name] = history_to_json(history);
  document_.rotation = rotation_state_to_json(rotation_);
  return save_state(path_, document_);
}

}  // namespace pm
