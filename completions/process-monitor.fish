# fish completion for process-monitor
# Installed as /usr/share/fish/vendor_completions.d/process-monitor.fish.

function __process_monitor_services
    set -l config /etc/process-monitor/config.toml
    set -q PROCESS_MONITOR_CONFIG; and set config $PROCESS_MONITOR_CONFIG
    set -l words (commandline -opc)
    for i in (seq (count $words))
        if contains -- $words[$i] -c --config; and test $i -lt (count $words)
            set config $words[(math $i + 1)]
        end
    end
    test -r $config; and sed -n 's/^[[:space:]]*name[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' $config
end

set -l commands check-config status reset pause resume rotate discover
complete -c process-monitor -f
complete -c process-monitor -n "not __fish_seen_subcommand_from $commands" -a check-config -d 'Validate the config file'
complete -c process-monitor -n "not __fish_seen_subcommand_from $commands" -a status -d 'Restart history from the state file'
complete -c process-monitor -n "not __fish_seen_subcommand_from $commands" -a reset -d 'Forget failures, restarts, backoff, giving up'
complete -c process-monitor -n "not __fish_seen_subcommand_from $commands" -a pause -d 'Restart nothing until resume'
complete -c process-monitor -n "not __fish_seen_subcommand_from $commands" -a resume -d 'End a pause'
complete -c process-monitor -n "not __fish_seen_subcommand_from $commands" -a rotate -d 'Rotate the [[logs]] groups now'
complete -c process-monitor -n "not __fish_seen_subcommand_from $commands" -a discover -d 'List what the engines run, print a config'
complete -c process-monitor -n "__fish_seen_subcommand_from reset pause resume" -a '(__process_monitor_services)'
complete -c process-monitor -n "__fish_seen_subcommand_from pause" -l for -x -d 'Pause for DURATION'
complete -c process-monitor -n "__fish_seen_subcommand_from rotate" -l force -d 'Rotate every matched file'
complete -c process-monitor -n "__fish_seen_subcommand_from discover" -l backend -x -a 'pm2 docker systemd' -d 'Only this engine'
complete -c process-monitor -s h -l help -d 'Print the help'
complete -c process-monitor -s V -l version -d 'Print the version'
complete -c process-monitor -s c -l config -r -F -d 'Config file (TOML)'
complete -c process-monitor -l once -d 'Run one cycle and exit'
complete -c process-monitor -s i -l interval -x -d 'Run a cycle every DURATION'
complete -c process-monitor -s n -l dry-run -d 'Check and report, restart nothing'
complete -c process-monitor -s s -l service -x -a '(__process_monitor_services)' -d 'Only these services'
complete -c process-monitor -l json -d 'Print the report as JSON'
complete -c process-monitor -l format -x -a 'text json nagios' -d 'The report format'
complete -c process-monitor -l metrics-file -r -F -d 'Prometheus metrics file'
complete -c process-monitor -s q -l quiet -d 'Print nothing when all is healthy'
complete -c process-monitor -l log-file -r -F -d 'Also append diagnostics to FILE'
complete -c process-monitor -l log-level -x -a 'trace debug info warn error off' -d 'Diagnostics level'
complete -c process-monitor -l deadline -x -d 'Deadline of a whole run'
complete -c process-monitor -l state-dir -x -a '(__fish_complete_directories)' -d 'Where restart history is kept'
complete -c process-monitor -l wait-lock -x -d 'Wait for a run that holds the lock'
