#include "config/systemd_selection.hpp"

#include <array>
#include <cctype>

#include <fmt/format.h>

#include "config/text_rules.hpp"

namespace pm {
namespace {

constexpr std::array<std::string_view, 11> kUnitTypes{".service", ".socket",    ".target", ".timer",
                                                      ".mount",   ".automount", ".path",   ".slice",
                                                      ".scope",   ".swap",      ".device"};

}  // namespace

bool is_unit_name(std::string_view name) {
  // systemd's unit_name_is_valid(): UNIT_NAME_MAX is 256 with the NUL, for
  // the name as the manager sees it (with its type).
  if (name.empty() || with_unit_type(std::string(name)).size() > 255) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view(":-_.\\@").find(c) == std::string_view::npos) {
      return false;
    }
  }
  // The first '@' starts the instance; it cannot start the name, and the
  // instance cannot be empty: "getty@.service" is a template, which no
  // manager runs, so there is nothing to check or restart.
  const std::size_t at = name.find('@');
  if (at == 0) return false;
  if (at != std::string_view::npos) {
    const std::string typed = with_unit_type(std::string(name));
    const std::size_t type_start = typed.rfind('.');
    if (type_start == at + 1) return false;
  }
  return true;
}

std::string with_unit_type(std::string name) {
  for (auto type : kUnitTypes) {
    if (name.ends_with(type) && name.size() > type.size()) return name;
  }
  return name + ".service";
}

namespace {

// "system" or "user"; anything else is recorded on `reader`.
std::optional<std::string> read_scope(FieldReader& reader, const ServiceDraft::Written& scope) {
  if (scope.text == "system" || scope.text == "user") return scope.text;
  reader.fail(scope.at, fmt::format("'scope' must be \"system\" or \"user\", got {}", quoted(scope.text)));
  return std::nullopt;
}

}  // namespace

void resolve_systemd_selection(FieldReader& reader, ServiceDraft& service,
                               const std::optional<ServiceDraft::Written>& default_scope) {
  ServiceConfig& config = service.config;
  if (config.backend != "systemd") {
    for (const auto* key : {&service.unit, &service.scope}) {
      if (*key) {
        reader.fail((*key)->at,
                    fmt::format("'{}' only applies to backend \"systemd\" (this service has backend "
                                "\"{}\")",
                                key == &service.unit ? "unit" : "scope", config.backend));
      }
    }
    return;
  }
  if (service.target_at) {
    reader.fail(*service.target_at, "for backend \"systemd\" name the unit with 'unit' instead of 'target'");
    return;
  }
  std::string unit = service.unit ? service.unit->text : config.name;
  if (!is_unit_name(unit)) {
    reader.fail(service.unit ? service.unit->at : service.name_at.value_or(service.header),
                fmt::format("{} is not a valid unit name (letters, digits and :-_.\\@; a template "
                            "needs its instance: name@instance){}",
                            quoted(unit), service.unit ? "" : "; set 'unit'"));
    return;
  }
  unit = with_unit_type(std::move(unit));

  std::string scope = "system";
  if (service.scope) {
    auto read = read_scope(reader, *service.scope);
    if (!read) return;
    scope = *read;
  } else if (default_scope) {
    auto read = read_scope(reader, *default_scope);
    if (!read) return;
    scope = *read;
  }
  config.target = scope == "user" ? "user/" + unit : unit;
}

}  // namespace pm
