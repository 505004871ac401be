// A small service for process-monitor's integration tests and demo.
// GET /health answers according to the current mode:
//   ok    -> 200 "ok"
//   503   -> 503 "unavailable"
//   hang  -> never answers
// The mode comes from POST/GET /control?mode=M (in memory: a restart clears
// it, which is how a restart "fixes" the service), else from the file named
// by $STICKY_MODE_FILE (survives restarts: a service a restart cannot fix).
// /control?mode=crash exits the process with status 1.
// /allocate?mb=N keeps N MiB more resident (filled, so the pages are real),
// as a leaking service would; a restart frees it.
'use strict';
const http = require('http');
const fs = require('fs');

const port = Number(process.env.PORT || 3001);
let override = null;
const held = [];

function currentMode() {
  if (override) return override;
  const file = process.env.STICKY_MODE_FILE;
  if (file) {
    try { return fs.readFileSync(file, 'utf8').trim() || 'ok'; } catch (_) { /* no file: ok */ }
  }
  return 'ok';
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/control') {
    const mode = url.searchParams.get('mode') || 'ok';
    if (mode === 'crash') {
      res.end('crashing\n', () => process.exit(1));
      return;
    }
    override = mode === 'ok' ? null : mode;
    res.end(`mode ${mode}\n`);
    return;
  }
  if (url.pathname === '/allocate') {
    const mb = Number(url.searchParams.get('mb') || 0);
    held.push(Buffer.alloc(mb * 1024 * 1024, 1));
    res.end(`holding ${held.reduce((sum, b) => sum + b.length, 0) / 1048576} MiB\n`);
    return;
  }
  if (url.pathname === '/health') {
    const mode = currentMode();
    if (mode === 'hang') return; // never answer
    if (mode === '503') {
      res.statusCode = 503;
      res.end('unavailable\n');
      return;
    }
    res.end(`ok pid=${process.pid}\n`);
    return;
  }
  res.statusCode = 404;
  res.end('not found\n');
});

server.listen(port, '127.0.0.1', () => {
  // Ready marker for tests that wait for the app to listen.
  if (process.env.READY_FILE) fs.writeFileSync(process.env.READY_FILE, String(process.pid));
});
process.on('SIGINT', () => server.close(() => process.exit(0)));
