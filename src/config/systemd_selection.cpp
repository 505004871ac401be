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
  if (name.empty() || name.size() > 255) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view(":-_.\\@").find(c) == std::string_view::npos) {
      return false;
    }
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
                fmt::format("{} is not a valid unit name (letters, digits and :-_.\\@){}", quoted(unit),
                            service.unit ? "" : "; set 'unit'"));
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
