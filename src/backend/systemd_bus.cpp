#include "backend/systemd_bus.hpp"

#include <systemd/sd-bus.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>

#include <fmt/format.h>

#include "backend/systemd_library.hpp"
#include "backend/systemd_property_reads.hpp"

namespace pm {
namespace {

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManagerInterface = "org.freedesktop.systemd1.Manager";

std::string errno_text(int negative_errno) { return std::strerror(-negative_errno); }

uint64_t usec_left(const Deadline& deadline) {
  auto left = deadline.remaining();
  if (left == Duration::max()) return UINT64_MAX;
  return static_cast<uint64_t>(std::max<long long>(left.count(), 1)) * 1000;
}

std::string manager_name(SystemdScope scope) {
  return scope == SystemdScope::System ? "the systemd system manager" : "the systemd user manager";
}

// A refused call, in words that name the fix.
std::string call_error(const sd_bus_error& error, SystemdScope scope, std::string_view unit,
                       std::string_view action) {
  std::string name = error.name != nullptr ? error.name : "";
  std::string message = error.message != nullptr ? error.message : "";
  if (name == "org.freedesktop.DBus.Error.AccessDenied" ||
      name == "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired") {
    return fmt::format(
        "permission denied to {} {}: {}; run process-monitor as root for system units, or "
        "allow it with a polkit rule (org.freedesktop.systemd1.manage-units)",
        action, unit, message);
  }
  if (name == "org.freedesktop.systemd1.UnitMasked") {
    return fmt::format("{} is masked, so it cannot be started; 'systemctl{} unmask {}' if it should run",
                       unit, scope == SystemdScope::User ? " --user" : "", unit);
  }
  if (name == "org.freedesktop.systemd1.NoSuchUnit" || name == "org.freedesktop.systemd1.LoadFailed") {
    return fmt::format(
        "unit {} not found ({}): check the name, or 'systemctl{} daemon-reload' after adding it", unit,
        message, scope == SystemdScope::User ? " --user" : "");
  }
  if (name == "org.freedesktop.DBus.Error.ServiceUnknown" ||
      name == "org.freedesktop.DBus.Error.NameHasNoOwner") {
    return fmt::format("no systemd manager on the {} bus ({}): is this machine booted with systemd?",
                       to_string(scope), message);
  }
  return fmt::format("{} refused to {} {}: {} ({})", manager_name(scope), action, unit, message, name);
}

// A call in flight: its answer, read by `read` when it is not an error.
struct PendingCall {
  const std::function<int(sd_bus_message*)>* read;
  bool answered = false;
  int read_error = 0;                      // negative errno: the answer could not be read
  sd_bus_error error = SD_BUS_ERROR_NULL;  // the refusal, copied out of the reply
};

int on_call_answered(sd_bus_message* reply, void* userdata, sd_bus_error*) {
  auto& call = *static_cast<PendingCall*>(userdata);
  call.answered = true;
  if (sd_bus_message_is_method_error(reply, nullptr)) {
    sd_bus_error_copy(&call.error, sd_bus_message_get_error(reply));
  } else if (*call.read) {
    call.read_error = std::min((*call.read)(reply), 0);
  }
  return 0;
}

}  // namespace

std::string_view to_string(SystemdScope scope) { return scope == SystemdScope::System ? "system" : "user"; }

std::expected<std::unique_ptr<SystemdBus>, std::string> SystemdBus::connect(SystemdScope scope) {
  if (auto loaded = ensure_sd_bus_loaded(); !loaded) return std::unexpected(loaded.error());
  // As systemctl does: the manager's private socket when we may use it (no
  // D-Bus daemon needed), else the bus.
  const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  std::string private_socket = scope == SystemdScope::System ? "/run/systemd/private"
                               : runtime_dir != nullptr      ? std::string(runtime_dir) + "/systemd/private"
                                                             : "";
  bool may_use_private = !private_socket.empty() && access(private_socket.c_str(), R_OK | W_OK) == 0 &&
                         (scope == SystemdScope::User || geteuid() == 0);
  sd_bus* bus = nullptr;
  int r = 0;
  if (may_use_private) {
    r = sd_bus_new(&bus);
    if (r >= 0) r = sd_bus_set_address(bus, ("unix:path=" + private_socket).c_str());
    if (r >= 0) r = sd_bus_start(bus);
    if (r >= 0) return std::unique_ptr<SystemdBus>(new SystemdBus(bus, scope));
    sd_bus_unref(bus);
    bus = nullptr;
  }
  r = scope == SystemdScope::System ? sd_bus_open_system(&bus) : sd_bus_open_user(&bus);
  if (r >= 0) return std::unique_ptr<SystemdBus>(new SystemdBus(bus, scope));
  if (scope == SystemdScope::System) {
    return std::unexpected(
        fmt::format("no systemd system manager reachable ({}): is this machine booted with systemd? (no "
                    "/run/systemd/private, no system bus at /run/dbus/system_bus_socket)",
                    errno_text(r)));
  }
  return std::unexpected(fmt::format(
      "no systemd user manager reachable ({}): scope = \"user\" talks to the manager of the user running "
      "process-monitor through $XDG_RUNTIME_DIR ({}); is 'systemd --user' running for that user (loginctl "
      "enable-linger USER) and XDG_RUNTIME_DIR set (/run/user/UID)?",
      errno_text(r), runtime_dir != nullptr ? runtime_dir : "not set"));
}

// No flush: every call here waits for its own reply, so nothing is left to
// send, and flushing a manager that stopped answering blocks without a
// timeout (found by the integration tests: a run hung past its deadline).
SystemdBus::~SystemdBus() { sd_bus_close_unref(bus_); }

template <typename Done>
std::expected<void, std::string> SystemdBus::pump(Done done, Deadline deadline,
                                                  std::string_view waiting_for) {
  while (!done()) {
    int r = sd_bus_process(bus_, nullptr);
    if (r < 0)
      return std::unexpected(
          fmt::format("lost the connection to {}: {}", manager_name(scope_), errno_text(r)));
    if (r > 0) continue;
    if (deadline.expired()) {
      return std::unexpected(
          fmt::format("{} did not answer within the deadline ({})", manager_name(scope_), waiting_for));
    }
    r = sd_bus_wait(bus_, usec_left(deadline));
    if (r < 0 && r != -EINTR) {
      return std::unexpected(
          fmt::format("lost the connection to {}: {}", manager_name(scope_), errno_text(r)));
    }
  }
  return {};
}

namespace {

// ListUnitsByNames' answer, read into `listed`.
struct UnitsListing {
  const std::vector<std::string>& units;
  std::map<std::string, SystemdUnitProperties>& listed;
  std::size_t read = 0;  // entries in the answer
};

// One entry per name, in the order asked: the manager loads a name it does
// not know as "not-found", and skips only names it finds invalid, which the
// config has already refused (a count that differs is an error).
int read_units_listing(sd_bus_message* reply, UnitsListing& listing) {
  int r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
  if (r < 0) return r;
  const char *id, *description, *load, *active, *sub, *following, *unit_path, *job_type, *job_path;
  uint32_t job_id = 0;
  while ((r = sd_bus_message_read(reply, "(ssssssouso)", &id, &description, &load, &active, &sub, &following,
                                  &unit_path, &job_id, &job_type, &job_path)) > 0) {
    if (listing.read < listing.units.size()) {
      SystemdUnitProperties& unit = listing.listed[listing.units[listing.read]];
      unit.id = id;
      unit.load_state = load;
      unit.active_state = active;
      unit.sub_state = sub;
    }
    ++listing.read;
  }
  return r < 0 ? r : sd_bus_message_exit_container(reply);
}

}  // namespace

std::expected<std::map<std::string, SystemdUnitProperties>, std::string> SystemdBus::list_units(
    const std::vector<std::string>& units, Deadline deadline) {
  std::map<std::string, SystemdUnitProperties> listed;
  if (units.empty()) return listed;
  std::vector<const char*> names;
  names.reserve(units.size() + 1);
  for (const auto& unit : units) names.push_back(unit.c_str());
  names.push_back(nullptr);
  sd_bus_message* request = nullptr;
  int r = sd_bus_message_new_method_call(bus_, &request, kService, kManagerPath, kManagerInterface,
                                         "ListUnitsByNames");
  if (r >= 0) r = sd_bus_message_append_strv(request, const_cast<char**>(names.data()));
  UnitsListing listing{units, listed};
  auto answered =
      call(request, r, "ListUnitsByNames", fmt::format("{} unit(s)", units.size()), "list", deadline,
           [&listing](sd_bus_message* reply) { return read_units_listing(reply, listing); });
  if (!answered) return std::unexpected(answered.error());
  if (listing.read != units.size()) {
    return std::unexpected(fmt::format("{} listed {} unit(s) for the {} name(s) asked for (ListUnitsByNames)",
                                       manager_name(scope_), listing.read, units.size()));
  }
  return listed;
}

std::expected<std::map<std::string, SystemdUnitProperties>, std::string> SystemdBus::read_units(
    const std::vector<std::string>& units, SystemdReads group, Deadline deadline, std::size_t window) {
  auto reads = PropertyReads::prepare(units, group, window);
  if (!reads) return std::unexpected(reads.error());
  int sent = 0;
  auto pumped = pump(
      [&] {
        sent = (*reads)->send_more(bus_);
        return sent < 0 || (*reads)->finished();
      },
      deadline, "reading unit properties");
  calls_sent_ += (*reads)->sent();
  if (sent < 0)
    return std::unexpected(fmt::format("cannot ask {}: {}", manager_name(scope_), errno_text(sent)));
  if (!pumped) return std::unexpected(pumped.error());
  if (const auto* failure = (*reads)->first_failure()) {
    return std::unexpected(fmt::format("{} answered an unexpected value for {}: {}", manager_name(scope_),
                                       failure->first, failure->second));
  }
  return std::move((*reads)->properties());
}

namespace {

// ---- listing (discovery) -----------------------------------------------------

// One of the pipelined listing calls: its reply read by `read` into the listing.
struct ListingCall {
  const char* method;
  int (*read)(sd_bus_message* reply, SystemdServiceListing& listing);
  int* pending;
  SystemdServiceListing* listing;
  sd_bus_error error = SD_BUS_ERROR_NULL;  // the refusal, copied out of the reply
  std::string failure;                     // an answer that could not be read
};

int read_listed_units(sd_bus_message* reply, SystemdServiceListing& listing) {
  int r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
  if (r < 0) return r;
  const char *name, *description, *load, *active, *sub, *following, *unit_path, *job_type, *job_path;
  uint32_t job_id = 0;
  while ((r = sd_bus_message_read(reply, "(ssssssouso)", &name, &description, &load, &active, &sub,
                                  &following, &unit_path, &job_id, &job_type, &job_path)) > 0) {
    listing.units.push_back(SystemdListedUnit{name, load, active, sub});
  }
  return r < 0 ? r : sd_bus_message_exit_container(reply);
}

int read_unit_files(sd_bus_message* reply, SystemdServiceListing& listing) {
  int r = sd_bus_message_enter_container(reply, 'a', "(ss)");
  if (r < 0) return r;
  const char *path, *state;
  while ((r = sd_bus_message_read(reply, "(ss)", &path, &state)) > 0) {
    listing.enabled_files.push_back(SystemdUnitFile{path, state});
  }
  return r < 0 ? r : sd_bus_message_exit_container(reply);
}

int on_listing(sd_bus_message* reply, void* userdata, sd_bus_error*) {
  auto* call = static_cast<ListingCall*>(userdata);
  --*call->pending;
  if (sd_bus_message_is_method_error(reply, nullptr)) {
    sd_bus_error_copy(&call->error, sd_bus_message_get_error(reply));
    return 0;
  }
  if (int r = call->read(reply, *call->listing); r < 0)
    call->failure = fmt::format("unexpected answer to {} ({})", call->method, errno_text(r));
  return 0;
}

}  // namespace

std::expected<SystemdServiceListing, std::string> SystemdBus::list_service_units(Deadline deadline) {
  SystemdServiceListing listing;
  int pending = 0;
  std::array<ListingCall, 2> calls{
      ListingCall{"ListUnitsByPatterns", read_listed_units, &pending, &listing, SD_BUS_ERROR_NULL, {}},
      ListingCall{"ListUnitFilesByPatterns", read_unit_files, &pending, &listing, SD_BUS_ERROR_NULL, {}}};
  std::array<sd_bus_slot*, 2> slots{};
  auto release = [&] {
    for (auto* slot : slots) sd_bus_slot_unref(slot);  // cancels calls still in flight
    for (auto& call : calls) sd_bus_error_free(&call.error);
  };
  const char* patterns[] = {"*.service", nullptr};
  const char* enabled[] = {"enabled", "enabled-runtime", nullptr};
  const char* any[] = {nullptr};
  for (std::size_t i = 0; i < calls.size(); ++i) {
    sd_bus_message* request = nullptr;
    int r = sd_bus_message_new_method_call(bus_, &request, kService, kManagerPath, kManagerInterface,
                                           calls[i].method);
    if (r >= 0) r = sd_bus_message_append_strv(request, const_cast<char**>(i == 0 ? any : enabled));
    if (r >= 0) r = sd_bus_message_append_strv(request, const_cast<char**>(patterns));
    if (r >= 0) r = sd_bus_call_async(bus_, &slots[i], request, on_listing, &calls[i], usec_left(deadline));
    sd_bus_message_unref(request);
    if (r < 0) {
      release();
      return std::unexpected(fmt::format("cannot ask {}: {}", manager_name(scope_), errno_text(r)));
    }
    ++pending;
    ++calls_sent_;
  }
  auto pumped = pump([&] { return pending == 0; }, deadline, "listing service units");
  std::string failure;
  for (const auto& call : calls) {
    if (!failure.empty()) break;
    if (sd_bus_error_is_set(&call.error)) {
      failure = call_error(call.error, scope_, "service units", "list");
    } else {
      failure = call.failure;
    }
  }
  release();
  if (!pumped) return std::unexpected(pumped.error());
  if (!failure.empty()) return std::unexpected(failure);
  return listing;
}

namespace {

struct JobWait {
  std::string job_path;
  std::string result;
};

int on_job_removed(sd_bus_message* message, void* userdata, sd_bus_error*) {
  auto* wait = static_cast<JobWait*>(userdata);
  uint32_t id = 0;
  const char* path = nullptr;
  const char* unit = nullptr;
  const char* result = nullptr;
  if (sd_bus_message_read(message, "uoss", &id, &path, &unit, &result) < 0) return 0;
  if (!wait->job_path.empty() && wait->job_path == path) wait->result = result;
  return 0;
}

}  // namespace

std::expected<std::string, std::string> SystemdBus::restart_unit(const std::string& unit, Deadline deadline) {
  JobWait wait;
  // The match comes first: a quick job can finish before RestartUnit's reply
  // arrives; its signal then waits in the queue until the reply is read.
  sd_bus_slot* match = nullptr;
  int r = sd_bus_match_signal(bus_, &match, kService, kManagerPath, kManagerInterface, "JobRemoved",
                              on_job_removed, &wait);
  if (r < 0) return std::unexpected(fmt::format("cannot watch systemd jobs: {}", errno_text(r)));
  sd_bus_message* request = nullptr;
  r = sd_bus_message_new_method_call(bus_, &request, kService, kManagerPath, kManagerInterface,
                                     "RestartUnit");
  if (r >= 0) r = sd_bus_message_append(request, "ss", unit.c_str(), "replace");
  auto answered = call(request, r, "RestartUnit", unit, "restart", deadline, [&wait](sd_bus_message* reply) {
    const char* job = nullptr;
    int read = sd_bus_message_read(reply, "o", &job);
    if (read >= 0) wait.job_path = job;
    return read;
  });
  if (!answered) {
    sd_bus_slot_unref(match);
    return std::unexpected(answered.error());
  }
  auto pumped =
      pump([&] { return !wait.result.empty(); }, deadline, "waiting for the restart job of " + unit);
  sd_bus_slot_unref(match);
  if (!pumped) return std::unexpected(pumped.error());
  return wait.result;
}

std::expected<void, std::string> SystemdBus::reset_failed(const std::string& unit, Deadline deadline) {
  sd_bus_message* request = nullptr;
  int r = sd_bus_message_new_method_call(bus_, &request, kService, kManagerPath, kManagerInterface,
                                         "ResetFailedUnit");
  if (r >= 0) r = sd_bus_message_append(request, "s", unit.c_str());
  return call(request, r, "ResetFailedUnit", unit, "reset-failed", deadline);
}

std::expected<void, std::string> SystemdBus::kill_main_process(const std::string& unit, int signal,
                                                               Deadline deadline) {
  sd_bus_message* request = nullptr;
  int r =
      sd_bus_message_new_method_call(bus_, &request, kService, kManagerPath, kManagerInterface, "KillUnit");
  if (r >= 0) r = sd_bus_message_append(request, "ssi", unit.c_str(), "main", static_cast<int32_t>(signal));
  return call(request, r, "KillUnit", unit, "signal", deadline);
}

std::expected<void, std::string> SystemdBus::call(sd_bus_message* request, int built, std::string_view method,
                                                  std::string_view unit, std::string_view action,
                                                  Deadline deadline,
                                                  const std::function<int(sd_bus_message*)>& read) {
  PendingCall pending{&read};
  sd_bus_slot* slot = nullptr;
  int r = built;
  if (r >= 0) r = sd_bus_call_async(bus_, &slot, request, on_call_answered, &pending, usec_left(deadline));
  sd_bus_message_unref(request);
  if (r < 0)
    return std::unexpected(
        fmt::format("cannot send {} to {}: {}", method, manager_name(scope_), errno_text(r)));
  ++calls_sent_;
  auto pumped = pump([&] { return pending.answered; }, deadline, fmt::format("{} {}", action, unit));
  sd_bus_slot_unref(slot);  // cancels the call if it is still out
  std::string failure;
  if (!pumped) {
    failure = pumped.error();
  } else if (sd_bus_error_is_set(&pending.error)) {
    failure = call_error(pending.error, scope_, unit, action);
  } else if (pending.read_error < 0) {
    failure = fmt::format("unexpected answer from {} to {} ({})", manager_name(scope_), method,
                          errno_text(pending.read_error));
  }
  sd_bus_error_free(&pending.error);
  if (!failure.empty()) return std::unexpected(failure);
  return {};
}

}  // namespace pm
