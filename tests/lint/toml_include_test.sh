#!/usr/bin/env bash
# Every file includes toml++ through src/config/toml.hpp, which turns off
# toml++ 3.3.0's wrong parser assertion (it says why). A direct
# #include <toml++/...> anywhere else is reported; a planted one shows the
# check can fail.
set -euo pipefail
top=$1
direct_includes() {  # DIR...: the direct includes outside config/toml.hpp
  grep -rnE '#[[:space:]]*include[[:space:]]*[<"]toml\+\+/' "$@" --include='*.cpp' --include='*.hpp' \
    | grep -v '/src/config/toml\.hpp:' || true
}
found=$(direct_includes "$top/src" "$top/tests" "$top/fuzz" "$top/bench")
if [ -n "$found" ]; then
  echo "include \"config/toml.hpp\" instead of toml++ itself:" >&2
  echo "$found" >&2
  exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf '#include <toml++/toml.h>\n' > "$dir/planted.cpp"
[ -n "$(direct_includes "$dir")" ] || { echo "a planted direct include was not caught" >&2; exit 1; }
echo "ok"
