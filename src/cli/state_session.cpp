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

namespace {

// Each service of the state file becomes a history as it is read, its tree
// then dropped; one that cannot be read is kept as found (written back
// until a new history replaces it).
class HistoryReader : public ServiceSink {
 public:
  std::map<std::string, ServiceHistory> histories;
  std::map<std::string, nlohmann::json> unreadable;
  std::map<std::string, std::string> unreadable_reasons;

  void take(const std::string& name, nlohmann::json&& payload) override {
    histories.erase(name);
    unreadable.erase(name);
    unreadable_reasons.erase(name);
    if (auto history = history_from_json(payload)) {
      histories.emplace(name, std::move(*history));
    } else {
      unreadable_reasons.emplace(name, std::move(history.error()));
      unreadable.emplace(name, std::move(payload));
    }
  }
  void drop_all() override {
    histories.clear();
    unreadable.clear();
    unreadable_reasons.clear();
  }
};

}  // namespace

std::expected<StateSession, SessionError> StateSession::open_at(const std::string& path, Duration wait_lock,
                                                                const Interrupt& interrupt,
                                                                std::optional<StateCarry>* carry) {
  auto lock = RunLock::acquire(path, wait_lock, &interrupt);
  if (!lock) {
    return std::unexpected(SessionError{lock.error().kind == LockError::Busy, lock.error().message});
  }
  if (carry != nullptr && *carry) {
    std::optional<StateCarry> taken = std::move(*carry);
    carry->reset();
    if (file_identity(path) == taken->written) {
      StateSession session(std::move(*lock), path, std::move(taken->document));
      session.histories_ = std::move(taken->histories);
      session.rotation_ = std::move(taken->rotation);
      session.carried_ = true;
      return session;
    }
  }
  HistoryReader reader;
  auto document = load_state(path, &reader);
  if (!document) return std::unexpected(SessionError{false, document.error().message});
  if (!document->warning.empty()) spdlog::warn("{}", document->warning);
  for (const auto& [name, reason] : reader.unreadable_reasons) {
    spdlog::warn("state file {}: the history of {} is unreadable ({}); starting it afresh", path, name,
                 reason);
  }

  StateSession session(std::move(*lock), path, std::move(*document));
  session.histories_ = std::move(reader.histories);
  session.document_.services = std::move(reader.unreadable);
  if (auto rotation = rotation_state_from_json(session.document_.rotation)) {
    session.rotation_ = std::move(*rotation);
  } else {
    spdlog::warn("state file {}: the log rotation state is unreadable ({}); every file's age starts afresh",
                 path, rotation.error());
  }
  return session;
}

namespace {

// The session's state as the file holds it: each history becomes a JSON
// tree only while it is written, and wins over an unreadable tree of the
// same name.
class SessionSource : public StateSource {
 public:
  SessionSource(const std::map<std::string, ServiceHistory>& histories,
                const std::map<std::string, nlohmann::json>& unreadable, const nlohmann::json& resources,
                nlohmann::json rotation)
      : histories_(histories),
        unreadable_(unreadable),
        resources_(resources),
        rotation_(std::move(rotation)) {}

  const nlohmann::json& resources() const override { return resources_; }
  const nlohmann::json& rotation() const override { return rotation_; }
  bool each_service(const ServiceVisitor& visit) const override {
    auto history = histories_.begin();
    auto tree = unreadable_.begin();
    while (history != histories_.end() || tree != unreadable_.end()) {
      if (tree == unreadable_.end() || (history != histories_.end() && history->first <= tree->first)) {
        if (tree != unreadable_.end() && tree->first == history->first) ++tree;
        if (!visit(history->first, history_to_json(history->second))) return false;
        ++history;
      } else {
        if (!visit(tree->first, tree->second)) return false;
        ++tree;
      }
    }
    return true;
  }

 private:
  const std::map<std::string, ServiceHistory>& histories_;
  const std::map<std::string, nlohmann::json>& unreadable_;
  const nlohmann::json& resources_;
  nlohmann::json rotation_;
};

}  // namespace

std::expected<void, std::string> StateSession::save() {
  saved_.reset();
  auto saved = save_state(path_, SessionSource(histories_, document_.services, document_.resources,
                                               rotation_state_to_json(rotation_)));
  // Under the lock, so the file is still the one just written.
  if (saved) saved_ = file_identity(path_);
  return saved;
}

std::optional<StateCarry> StateSession::carry_over() && {
  if (!saved_) return std::nullopt;
  return StateCarry{*saved_, std::move(document_), std::move(histories_), std::move(rotation_)};
}

}  // namespace pm
