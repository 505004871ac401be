#pragma once
// Rules that span several values of a config: every value can be fine on its
// own and the whole still be a mistake.
#include "config/field_reader.hpp"
#include "config/key_table.hpp"

namespace pm {

// Checks `draft`, read without problems, and records what is wrong on
// `reader`: no services (and no log groups); a backend "none" service without a health check or with limits;
// restart_timeout or verify_timeout beyond the run's deadline; duplicate
// names; two services for one (backend, target).
void check_across(FieldReader& reader, const ConfigDraft& draft);

}  // namespace pm
