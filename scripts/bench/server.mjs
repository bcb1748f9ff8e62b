// One static server for the built app, the bench page and the bench CSV, with the headers the
// app is deployed with (cross-origin isolation) and CORS on the data, as a dataset host sends.
import { createServer } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv; charset=utf-8',
  // web-llm reads tokenizer.json as text: without the charset its Chinese tokens are mojibake.
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * `mounts` maps URL prefixes (ending in '/') to folders, longest prefix first; a missing file
 * falls back to the mount's index.html (the app is a single-page app).
 * Resolves to { server, port }.
 */
export function startServer(mounts) {
  const ordered = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const mount = ordered.find(([prefix]) => path.startsWith(prefix));
    if (!mount || (req.method !== 'GET' && req.method !== 'HEAD')) {
      return void res.writeHead(404, ISOLATION).end('not found');
    }
    const [prefix, dir] = mount;
    let file = normalize(join(dir, path.slice(prefix.length)));
    if (file !== dir && !file.startsWith(dir + sep)) {
      return void res.writeHead(403, ISOLATION).end('forbidden');
    }
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(dir, 'index.html');
    if (!existsSync(file)) return void res.writeHead(404, ISOLATION).end('not found');
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const headers = {
      ...ISOLATION,
      'Content-Type': type,
      'Content-Length': statSync(file).size,
      'Cache-Control': 'no-cache',
    };
    if (type.startsWith('text/csv')) headers['Access-Control-Allow-Origin'] = '*';
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // Port 0: the system picks a free port.
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port }));
  });
}
