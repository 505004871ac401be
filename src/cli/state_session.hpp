#pragma once
// What a run keeps between runs, held for the run's length: the run lock,
// the state file, and the restart histories in it.
#include <expected>
#include <map>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "policy/service_history.hpp"
#include "rotate/rotation_state.hpp"
#include "state/run_lock.hpp"
#include "state/state_document.hpp"

namespace pm {

struct SessionError {
  bool lock_busy = false;  // another run holds the lock: a distinct exit code
  std::string message;
};

class StateSession {
 public:
  // The state file of `config` in `state_dir` (else [monitor] state_dir,
  // else the default), the directory created if missing.
  static std::expected<std::string, std::string> locate(const Config& config,
                                                        const std::optional<std::string>& state_dir);
  // Takes the lock of the state file at `path` (waiting up to `wait_lock`)
  // and loads it. A corrupt state file is moved aside (logged) and the run
  // goes on.
  static std::expected<StateSession, SessionError> open_at(const std::string& path, Duration wait_lock,
                                                           const Interrupt& interrupt);
  // locate() then open_at().
  static std::expected<StateSession, SessionError> open(const Config& config,
                                                        const std::optional<std::string>& state_dir,
                                                        Duration wait_lock, const Interrupt& interrupt);

  std::map<std::string, ServiceHistory>& histories() { return histories_; }
  // Log rotation's memory (since when each live file collects lines).
  RotationState& rotation() { return rotation_; }
  // The host checks' memory (the previous run's CPU counters): the state
  // file's "resources" object, saved as the checks leave it.
  nlohmann::json& resources() { return document_.resources; }
  const std::string& path() const { return path_; }
  // Writes the histories, the rotation state and the resources' memory back, atomically.
  std::expected<void, std::string> save();

 private:
  StateSession(RunLock lock, std::string path, StateDocument document)
      : lock_(std::move(lock)), path_(std::move(path)), document_(std::move(document)) {}

  RunLock lock_;
  std::string path_;
  // The file's document less its services' trees: only those whose history
  // could not be read are left (histories_ holds the rest).
  StateDocument document_;
  std::map<std::string, ServiceHistory> histories_;
  RotationState rotation_;
};

}  // namespace pm
