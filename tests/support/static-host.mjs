// A plain static host for the built app, like GitHub Pages under a project sub-path: serves
// dist/ at /deep/path/ only, with no COOP/COEP headers, on 127.0.0.1.
// - GET /__requests lists every path asked for since the last POST /__requests/reset;
// - POST /__rebuild serves sw.js with one more line, as a rebuilt version would (a new worker).
// Usage: node static-host.mjs [port]
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = resolve(fileURLToPath(new URL('../../dist', import.meta.url)));
const port = Number(process.argv[2] ?? 4175);
export const BASE = '/deep/path/';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
  '.map': 'application/json',
  '.gguf': 'application/octet-stream',
};

let requests = [];
let rebuilds = 0;

createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  if (path === '/health') return res.end('ok');
  if (path === '/__requests') {
    if (req.method === 'POST') requests = [];
    res.setHeader('Content-Type', 'application/json');
    return res.end(JSON.stringify(requests));
  }
  if (path === '/__rebuild' && req.method === 'POST') {
    rebuilds++;
    return res.end(String(rebuilds));
  }
  requests.push(path);
  if (!path.startsWith(BASE)) return res.writeHead(404).end('not found');
  const rel = path.slice(BASE.length) || 'index.html';
  const file = resolve(dist, rel.endsWith('/') ? rel + 'index.html' : rel);
  if (file !== dist && !file.startsWith(dist + sep)) return res.writeHead(404).end('not found');
  try {
    let body = await readFile(file);
    if (rel === 'sw.js' && rebuilds > 0) {
      body = Buffer.concat([body, Buffer.from(`\n// rebuilt ${rebuilds}\n`)]);
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404).end('not found');
  }
}).listen(port, '127.0.0.1');
