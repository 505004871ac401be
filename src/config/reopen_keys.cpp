#include "config/reopen_keys.hpp"

#include <array>
#include <optional>

#include <fmt/format.h>

#include "config/docker_selection.hpp"
#include "config/key_reader.hpp"
#include "config/systemd_selection.hpp"
#include "config/text_rules.hpp"

namespace pm {
namespace {

// The reopen table as written, before its keys are checked together.
struct ReopenDraft {
  struct Written {
    std::string text;
    toml::source_region at;
  };
  std::optional<Written> pm2, pidfile, systemd, docker, signal, scope;
  std::optional<toml::source_region> exec_at;
  std::vector<std::string> argv;
  Duration timeout{10000};
};

void read_written(FieldReader& reader, const toml::node& value, std::string_view key,
                  std::optional<ReopenDraft::Written>& out) {
  std::string text;
  if (reader.read_string(value, key, text)) out = ReopenDraft::Written{std::move(text), value.source()};
}

#define PM_WRITTEN_KEY(key)                                                        \
  {                                                                                \
#key, [](FieldReader & reader, const toml::node& value,                        \
             ReopenDraft& draft) { read_written(reader, value, #key, draft.key); } \
  }

constexpr std::array<Key<ReopenDraft>, 8> kReopenKeys{{
    PM_WRITTEN_KEY(pm2),
    PM_WRITTEN_KEY(pidfile),
    PM_WRITTEN_KEY(systemd),
    PM_WRITTEN_KEY(docker),
    PM_WRITTEN_KEY(signal),
    PM_WRITTEN_KEY(scope),
    {"exec",
     [](FieldReader& reader, const toml::node& value, ReopenDraft& draft) {
       draft.exec_at = value.source();
       reader.read_argv(value, "exec", draft.argv);
     }},
    {"timeout",
     [](FieldReader& reader, const toml::node& value, ReopenDraft& draft) {
       reader.read_duration(value, "timeout", ZeroDuration::kRejected, draft.timeout);
     }},
}};
#undef PM_WRITTEN_KEY

// The signal to send: "HUP" unless written; only reopen signals are accepted.
int signal_of(FieldReader& reader, const ReopenDraft& draft) {
  if (!draft.signal) return *reopen_signal_number("HUP");
  if (auto number = reopen_signal_number(draft.signal->text)) return *number;
  reader.fail(draft.signal->at,
              fmt::format("'signal' must be \"HUP\", \"USR1\", \"USR2\" or \"WINCH\" (signals "
                          "that ask a program to reopen its logs), got {}",
                          quoted(draft.signal->text)));
  return 0;
}

// The unit, with ".service" added when it has no type, and its manager.
std::string systemd_target(FieldReader& reader, const ReopenDraft& draft) {
  const auto& unit = *draft.systemd;
  if (!is_unit_name(unit.text)) {
    reader.fail(unit.at,
                fmt::format("{} is not a valid unit name (letters, digits and :-_.\\@; a template needs its "
                            "instance: name@instance)",
                            quoted(unit.text)));
  }
  if (draft.scope && draft.scope->text != "system" && draft.scope->text != "user") {
    reader.fail(draft.scope->at,
                fmt::format("'scope' must be \"system\" or \"user\", got {}", quoted(draft.scope->text)));
  }
  std::string name = with_unit_type(unit.text);
  return draft.scope && draft.scope->text == "user" ? "user/" + name : name;
}

// The one way to reopen that was written; problems go to `reader`.
ReopenAction resolve(FieldReader& reader, const toml::table& table, const ReopenDraft& draft) {
  ReopenAction action;
  action.timeout = draft.timeout;
  int ways = (draft.pm2 ? 1 : 0) + (draft.pidfile ? 1 : 0) + (draft.systemd ? 1 : 0) +
             (draft.docker ? 1 : 0) + (draft.exec_at ? 1 : 0);
  if (ways != 1) {
    reader.fail(table.source(),
                "'reopen' needs exactly one of pm2 = \"APP\", pidfile = \"/run/x.pid\", systemd = "
                "\"UNIT\", docker = \"CONTAINER\" or exec = [\"program\", ...]");
    return action;
  }
  bool takes_signal = draft.pidfile || draft.systemd || draft.docker;
  if (draft.signal && !takes_signal) {
    reader.fail(draft.signal->at,
                fmt::format("'signal' goes with pidfile, systemd or docker, not with {}",
                            draft.pm2 ? "pm2 (pm2 reloadLogs signals its apps itself)" : "exec"));
  }
  if (draft.scope && !draft.systemd) reader.fail(draft.scope->at, "'scope' goes with systemd only");
  int signal = signal_of(reader, draft);
  if (draft.pm2) {
    if (auto valid = check_service_name(draft.pm2->text); !valid) {
      reader.fail(draft.pm2->at,
                  fmt::format("invalid pm2 app name {}: {}", quoted(draft.pm2->text), valid.error()));
    }
    action.how = ReopenPm2{draft.pm2->text};
  } else if (draft.pidfile) {
    if (!draft.pidfile->text.starts_with('/')) {
      reader.fail(draft.pidfile->at,
                  fmt::format("'pidfile' must be an absolute path, got {}", quoted(draft.pidfile->text)));
    }
    action.how = ReopenPidfile{draft.pidfile->text, signal};
  } else if (draft.systemd) {
    action.how = ReopenSystemd{systemd_target(reader, draft), signal};
  } else if (draft.docker) {
    // Docker's own rule, as for a [[service]]'s container (docker_selection.hpp).
    if (!is_container_name(draft.docker->text)) {
      reader.fail(draft.docker->at,
                  fmt::format("invalid container name {}: letters, digits, '_', '.' and '-', "
                              "starting with a letter or digit",
                              quoted(draft.docker->text)));
    }
    action.how = ReopenDocker{draft.docker->text, signal};
  } else {
    action.how = ReopenExec{draft.argv};
  }
  return action;
}

}  // namespace

std::vector<std::string_view> reopen_key_names() { return names_of(kReopenKeys); }

ReopenAction read_reopen(FieldReader& reader, const toml::table& table) {
  ReopenDraft draft;
  read_keys(reader, table, "[logs.reopen]", kReopenKeys, draft);
  return resolve(reader, table, draft);
}

}  // namespace pm
