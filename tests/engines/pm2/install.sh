#!/usr/bin/env bash
# Installs the pinned PM2 (package-lock.json) into tests/engines/pm2/node_modules.
# Idempotent: skipped when node_modules matches the lockfile already.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.installed-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -x node_modules/.bin/pm2 ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "pm2 engine: $(node -p 'require("./node_modules/pm2/package.json").version') already installed"
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
echo "pm2 engine: installed $(node -p 'require("./node_modules/pm2/package.json").version')"
