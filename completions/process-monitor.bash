# bash completion for process-monitor
# Installed as /usr/share/bash-completion/completions/process-monitor.

# The service names of the config in use (-c FILE, else $PROCESS_MONITOR_CONFIG,
# else /etc/process-monitor/config.toml): every `name = "..."` line. Cheap: one
# sed over one file, nothing run.
_process_monitor_services() {
  local config=${PROCESS_MONITOR_CONFIG:-/etc/process-monitor/config.toml} i
  for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
    case ${COMP_WORDS[i]} in
      -c | --config) config=${COMP_WORDS[i + 1]} ;;
      --config=*) config=${COMP_WORDS[i]#--config=} ;;
    esac
  done
  [[ -r $config ]] && sed -n 's/^[[:space:]]*name[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$config"
}

_process_monitor() {
  local cur prev words cword
  _init_completion || return

  local commands="check-config status reset pause resume rotate discover"
  local options="-h --help -V --version -c --config --once -i --interval -n --dry-run -s --service
    --json --format --metrics-file -q --quiet --log-file --log-level --deadline --state-dir --wait-lock"

  case $prev in
    -c | --config | --log-file | --metrics-file)
      _filedir
      return
      ;;
    --state-dir)
      _filedir -d
      return
      ;;
    --format)
      COMPREPLY=($(compgen -W "text json nagios" -- "$cur"))
      return
      ;;
    --log-level)
      COMPREPLY=($(compgen -W "trace debug info warn error off" -- "$cur"))
      return
      ;;
    --backend)
      COMPREPLY=($(compgen -W "pm2 docker systemd" -- "$cur"))
      return
      ;;
    -s | --service)
      COMPREPLY=($(compgen -W "$(_process_monitor_services)" -- "$cur"))
      return
      ;;
    -i | --interval | --deadline | --wait-lock | --for)
      COMPREPLY=($(compgen -W "30s 1m 5m 1h" -- "$cur"))
      return
      ;;
  esac

  local command="" word
  for word in "${words[@]:1:cword-1}"; do
    case " $commands " in *" $word "*) command=$word ;; esac
  done
  case $command in
    reset | pause | resume)
      if [[ $cur == -* ]]; then
        local extra=""
        [[ $command == pause ]] && extra="--for"
        COMPREPLY=($(compgen -W "$extra --json -q --quiet --wait-lock -c --config --state-dir" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "$(_process_monitor_services)" -- "$cur"))
      fi
      ;;
    rotate) COMPREPLY=($(compgen -W "--dry-run --force -q --quiet -c --config --state-dir --deadline --wait-lock --log-file" -- "$cur")) ;;
    discover) COMPREPLY=($(compgen -W "--backend -c --config" -- "$cur")) ;;
    status) COMPREPLY=($(compgen -W "--json -c --config --state-dir" -- "$cur")) ;;
    check-config) COMPREPLY=($(compgen -W "-c --config -q --quiet" -- "$cur")) ;;
    *)
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
      fi
      ;;
  esac
}
complete -F _process_monitor process-monitor
