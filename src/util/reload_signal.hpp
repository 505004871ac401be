#pragma once
// SIGHUP as a request to reload the config, as daemons take it (systemd's
// ExecReload=kill -HUP $MAINPID, monit reload). Only the --interval loop
// installs it: elsewhere SIGHUP keeps its default (a hung-up terminal ends a
// --once run). The handler only sets a flag; the loop reads it between
// cycles, so nothing running is disturbed.
namespace pm {

// Routes SIGHUP to the flag. Once per process.
void install_reload_signal();

// Whether a SIGHUP came since the last call; clears it.
bool take_reload_request();

}  // namespace pm
