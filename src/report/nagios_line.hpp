#pragma once
// --format nagios: the run as one Nagios plugin status line (Nagios plugin
// development guidelines; Icinga and Naemon read the same), for check_by_ssh,
// NRPE and CI smoke tests, which use the exit code and this line:
//
//   PROCESS-MONITOR CRITICAL - failing: worker (down: pm2 says stopped); 1 of 2 services OK |
//   'api_probe'=0.012s;;;0 'services'=2;;;0 'failing'=1;;;0 'recovered'=0;;;0 'duration'=1.234s;;;0
//
// The status word follows the exit code: 0 OK, 1 WARNING (restarted and
// verified healthy), 2 CRITICAL (still failing), 3 and above UNKNOWN. The
// text before '|' never contains '|' or a line break; perfdata labels are
// single-quoted (a quote in a name doubled, '=' replaced by '_'); values carry
// their unit (s) and the minimum 0, with no warn/crit thresholds.
#include <string>
#include <string_view>

#include "core/cycle_result.hpp"

namespace pm {

// "OK", "WARNING", "CRITICAL" or "UNKNOWN".
std::string_view nagios_status(int exit_code);

// The status line, newline-terminated.
std::string render_nagios_line(const CycleResult& cycle);

// The line of a run that ended before any check (a config error, exit 3;
// the lock held, exit 4): "PROCESS-MONITOR UNKNOWN - why", newline-terminated.
std::string render_nagios_unknown(std::string_view why);

// A perfdata label: 'text' with ' doubled and '=' (which ends a label) as '_'.
std::string nagios_label(std::string_view text);

}  // namespace pm
