#pragma once
// The systemd keys of a [[service]] (unit, scope) and [systemd] scope:
// checked together and turned into the service's target
// (backend/systemd_units.hpp has its forms).
#include <optional>

#include "config/field_reader.hpp"
#include "config/key_table.hpp"

namespace pm {

// A unit name systemd accepts (its unit_name_is_valid()), the type
// optional: ASCII letters, digits and ":-_.\@", at most 255 with the type;
// a '@' not first, and an instance after it ("getty@tty1", never the
// template "getty@"). Nothing a shell or a path could read differently.
bool is_unit_name(std::string_view name);
// `name` with ".service" appended when it has no unit type (".socket", ...).
std::string with_unit_type(std::string name);

// For backend "systemd": unit defaults to the service name, and a name
// without a unit type gets ".service"; scope is the service's, else
// [systemd] scope, else "system"; 'target' is rejected ('unit' is the
// word here). For other backends: neither key. Problems go to `reader`.
void resolve_systemd_selection(FieldReader& reader, ServiceDraft& service,
                               const std::optional<ServiceDraft::Written>& default_scope);

}  // namespace pm
