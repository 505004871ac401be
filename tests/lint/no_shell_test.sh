#!/usr/bin/env bash
# scripts/check-no-shell.sh passes on src/ and catches each way to reach a
# shell in a planted source file (so the check itself cannot pass vacuously).
set -euo pipefail
top=$1
check=$top/scripts/check-no-shell.sh
"$check" "$top/src"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for line in 'int r = system("pm2 restart api");' 'FILE* f = popen(command, "r");' \
  'execl("/bin/sh", "sh", "-c", text, nullptr);' 'std::vector<std::string> argv{"bash", "-c", text};' \
  'argv = {"sh -c"};' 'wordexp(text, &words, 0);'; do
  printf '%s\n' "$line" > "$dir/planted.cpp"
  if "$check" "$dir" 2>/dev/null; then
    echo "not caught: $line" >&2
    exit 1
  fi
done
printf '%s\n' 'int subsystem(int); int x = subsystem(1); // posix_spawn, no shell' > "$dir/planted.cpp"
"$check" "$dir" >/dev/null
echo "ok"
