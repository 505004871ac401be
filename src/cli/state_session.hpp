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
#include "state/file_identity.hpp"
#include "state/run_lock.hpp"
#include "state/state_document.hpp"

namespace pm {

struct SessionError {
  bool lock_busy = false;  // another run holds the lock: a distinct exit code
  std::string message;
};

// What an --interval loop keeps of one cycle's session for the next: the
// state exactly as its last save wrote it, and the identity of the file that
// save left. The next cycle, holding the lock again, reads the file only if
// it is no longer that file (a --once run, reset, pause or resume wrote it
// meanwhile, or it was removed).
struct StateCarry {
  FileIdentity written;
  StateDocument document;  // less the services' trees (as StateSession::document_)
  std::map<std::string, ServiceHistory> histories;
  RotationState rotation;
};

class StateSession {
 public:
  // The state file of `config` in `state_dir` (else [monitor] state_dir,
  // else the default), the directory created if missing.
  static std::expected<std::string, std::string> locate(const Config& config,
                                                        const std::optional<std::string>& state_dir);
  // Takes the lock of the state file at `path` (waiting up to `wait_lock`)
  // and loads it. A corrupt state file is moved aside (logged) and the run
  // goes on. With a `carry` whose file is still the one at `path`, the state
  // is taken from it instead of read (carried() is then true); a carry is
  // used up either way.
  static std::expected<StateSession, SessionError> open_at(const std::string& path, Duration wait_lock,
                                                           const Interrupt& interrupt,
                                                           std::optional<StateCarry>* carry = nullptr);
  // locate() then open_at().
  static std::expected<StateSession, SessionError> open(const Config& config,
                                                        const std::optional<std::string>& state_dir,
                                                        Duration wait_lock, const Interrupt& interrupt);

  // The mutable accessors count as a change: after one, carry_over() has
  // nothing to give until the next save.
  std::map<std::string, ServiceHistory>& histories() {
    saved_.reset();
    return histories_;
  }
  const std::map<std::string, ServiceHistory>& histories() const { return histories_; }
  // Log rotation's memory (since when each live file collects lines).
  RotationState& rotation() {
    saved_.reset();
    return rotation_;
  }
  // The host checks' memory (the previous run's CPU counters): the state
  // file's "resources" object, saved as the checks leave it.
  nlohmann::json& resources() {
    saved_.reset();
    return document_.resources;
  }
  const std::string& path() const { return path_; }
  // Writes the histories, the rotation state and the resources' memory back, atomically.
  std::expected<void, std::string> save();
  // Whether this session's state came from a carry rather than the file.
  bool carried() const { return carried_; }
  // The state for the next cycle's open_at: only when the last thing done
  // was a successful save (not after a failed one, nor under --dry-run,
  // which never saves), so that it is exactly what the file holds. Changes
  // made through a reference kept from an earlier accessor call (the
  // PolicyGate's histories) are not seen: a run that carries must save last.
  std::optional<StateCarry> carry_over() &&;

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
  std::optional<FileIdentity> saved_;  // the file the last save wrote, unless changed since
  bool carried_ = false;
};

}  // namespace pm
