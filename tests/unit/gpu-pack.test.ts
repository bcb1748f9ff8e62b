import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The device pack (`npm run bench:gpu:pack`, then `scripts/bench/gpu-device.py` on the lent
// machine): a synthetic pack cut into three parts, carried one at a time, joined and unpacked.

interface Piece {
  part: number;
  file: string;
  bytes: number;
  sha256: string;
}
interface Manifest {
  name: string;
  bytes: number;
  sha256: string;
  parts: Piece[];
}
type WriteParts = (file: string, outDir: string, partBytes: number) => Promise<Manifest>;

const root = resolve(import.meta.dirname, '../..');
const deviceScript = join(root, 'scripts/bench/gpu-device.py');
const hasPython = spawnSync('python3', ['--version']).status === 0;
const PART_BYTES = 12 * 1024;

let work: string;
let tarball: string;
let payload: Buffer;
let manifest: Manifest;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function device(parts: string, pack: string, ...args: string[]) {
  return deviceWith({}, parts, pack, ...args);
}

function deviceWith(env: Record<string, string>, parts: string, pack: string, ...args: string[]) {
  return spawnSync('python3', [deviceScript, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GPU_PACK_PARTS: parts, GPU_PACK_DIR: pack, OUT: '', ...env },
  });
}

/** A Vulkan ICD file naming `library`, as NVIDIA's driver ships one. */
function icdFile(name: string, library: string) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'nvidia_icd.json');
  const icd = { file_format_version: '1.0.1', ICD: { library_path: library, api_version: '1.4' } };
  writeFileSync(file, JSON.stringify(icd));
  return file;
}

/** Calls one of gpu-device.py's functions by name with JSON arguments; its result as JSON. */
function deviceFunction(name: string, ...args: unknown[]): unknown {
  const code = [
    'import importlib.util, json, sys',
    `spec = importlib.util.spec_from_file_location("gpu_device", sys.argv[1])`,
    'm = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
    `args = [m.Path(a) if isinstance(a, str) and a.startswith("/") else a for a in json.loads(sys.argv[2])]`,
    `print(json.dumps(getattr(m, "${name}")(*args)))`,
  ].join('\n');
  const r = spawnSync('python3', ['-c', code, deviceScript, JSON.stringify(args)], {
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as unknown;
}

/** A parts folder holding only the named parts, as a machine has them after those calls. */
function carried(name: string, parts: number[]) {
  const dir = join(work, name);
  for (const n of parts) {
    const nn = String(n).padStart(2, '0');
    cpSync(join(work, 'parts', `part-${nn}`), join(dir, `part-${nn}`), { recursive: true });
  }
  return dir;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'gpu-pack-'));
  const stage = join(work, 'stage');
  mkdirSync(join(stage, 'repo'), { recursive: true });
  mkdirSync(join(stage, 'chromium'), { recursive: true });
  // Random bytes do not compress: the tarball stays a little over 30 KiB, three 12 KiB parts.
  payload = randomBytes(30 * 1024);
  writeFileSync(join(stage, 'repo/payload.bin'), payload);
  writeFileSync(join(stage, 'chromium/chromium'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(
    join(stage, 'PACK.json'),
    JSON.stringify({ made: 'test', node: 'v0', chromium: 'Chromium 0', libraries: [] }),
  );
  tarball = join(work, 'pack.tar.xz');
  const tar = spawnSync('sh', ['-c', `tar -C '${stage}' -cf - . | xz -0 > '${tarball}'`]);
  expect(tar.status).toBe(0);
  const packScript = join(root, 'scripts/bench/gpu-pack.mjs');
  const { writeParts } = (await import(packScript)) as { writeParts: WriteParts };
  manifest = await writeParts(tarball, join(work, 'parts'), PART_BYTES);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('cutting the pack into parts', () => {
  it('cuts it into pieces of at most the part size that join back to the same bytes', () => {
    const whole = readFileSync(tarball);
    // 30 KiB of payload plus tar headers and xz framing: over 24 KiB, under 36 KiB, so 3 parts.
    expect(whole.length).toBeGreaterThan(2 * PART_BYTES);
    expect(whole.length).toBeLessThanOrEqual(3 * PART_BYTES);
    expect(manifest.parts.map((p) => p.file)).toEqual([
      'part-01/pack.tar.xz.01',
      'part-02/pack.tar.xz.02',
      'part-03/pack.tar.xz.03',
    ]);
    const pieces = manifest.parts.map((p) => readFileSync(join(work, 'parts', p.file)));
    expect(pieces.map((b) => b.length)).toEqual([
      PART_BYTES,
      PART_BYTES,
      whole.length - 2 * PART_BYTES,
    ]);
    expect(Buffer.concat(pieces).equals(whole)).toBe(true);
    expect(manifest.bytes).toBe(whole.length);
    expect(manifest.sha256).toBe(sha256(whole));
    expect(manifest.parts.map((p) => p.sha256)).toEqual(pieces.map(sha256));
  });

  it('writes the same manifest beside every piece', () => {
    for (const nn of ['01', '02', '03']) {
      const beside = JSON.parse(
        readFileSync(join(work, 'parts', `part-${nn}`, 'manifest.json'), 'utf8'),
      ) as Manifest;
      expect(beside).toEqual(manifest);
    }
  });
});

describe.skipIf(!hasPython)('gpu-device.py on the machine the parts are carried to', () => {
  it('says which parts are still to carry, and unpacks nothing, while some are missing', () => {
    const parts = carried('two-of-three', [1, 2]);
    const pack = join(work, 'pack-early');
    const r = device(parts, pack, '--unpack-only');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('2 of 3 parts here; still to carry: part-03');
    expect(existsSync(pack)).toBe(false);
  });

  it('names the part to carry first when none is there', () => {
    const r = device(join(work, 'none'), join(work, 'pack-none'), '--unpack-only');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('carry .cache/gpu-pack/part-01');
  });

  it('joins and unpacks all three, once, into the pack folder', () => {
    const parts = carried('all', [1, 2, 3]);
    const pack = join(work, 'pack-all');
    const r = device(parts, pack, '--unpack-only');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Chromium 0');
    expect(readFileSync(join(pack, 'repo/payload.bin')).equals(payload)).toBe(true);
    expect(readFileSync(join(pack, '.unpacked'), 'utf8')).toBe(manifest.sha256);
    // A second call finds it unpacked and leaves it alone.
    const before = statSync(join(pack, 'repo/payload.bin')).mtimeMs;
    expect(device(parts, pack, '--unpack-only').status).toBe(0);
    expect(statSync(join(pack, 'repo/payload.bin')).mtimeMs).toBe(before);
  });

  it('refuses a damaged piece, naming it, and unpacks nothing', () => {
    const parts = carried('damaged', [1, 2, 3]);
    const piece = join(parts, 'part-02/pack.tar.xz.02');
    const bytes = readFileSync(piece);
    bytes[100] ^= 0xff;
    writeFileSync(piece, bytes);
    const pack = join(work, 'pack-damaged');
    const r = device(parts, pack, '--unpack-only');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('part-02/pack.tar.xz.02 is damaged');
    expect(existsSync(join(pack, 'repo'))).toBe(false);
  });

  it('refuses parts of two different packs', () => {
    const parts = carried('mixed', [1, 2, 3]);
    const other = JSON.parse(
      readFileSync(join(parts, 'part-03/manifest.json'), 'utf8'),
    ) as Manifest;
    writeFileSync(
      join(parts, 'part-03/manifest.json'),
      JSON.stringify({ ...other, sha256: '0'.repeat(64) }),
    );
    const r = device(parts, join(work, 'pack-mixed'), '--unpack-only');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('part-03 is from another pack than part-01');
  });
});

describe.skipIf(!hasPython)("gpu-device.py and the machine's GPU driver", () => {
  /** All three parts unpacked with VK_DRIVER_FILES naming an ICD file for `library`. */
  const unpackNamingDriver = (name: string, library: string) => {
    const icd = icdFile(`icd-${name}`, library);
    const parts = carried(`driver-${name}`, [1, 2, 3]);
    const env = { VK_DRIVER_FILES: icd };
    return { icd, r: deviceWith(env, parts, join(work, `pack-driver-${name}`), '--unpack-only') };
  };

  it('says the Vulkan driver library does not load, and why, naming the file', () => {
    // A relative library path in an ICD file is taken from the ICD file's own folder.
    const { icd, r } = unpackNamingDriver('missing', './libGLX_nvidia_absent.so.0');
    const library = join(work, 'icd-missing', 'libGLX_nvidia_absent.so.0');
    expect(r.status).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('Vulkan driver: '));
    expect(line).toContain(`Vulkan driver: ${icd}: ${library} does not load here: `);
    // The dynamic loader's own words name the file it could not open.
    expect(line).toMatch(/libGLX_nvidia_absent\.so\.0: cannot open shared object file/);
  });

  it('says a Vulkan driver library that opens here loads', () => {
    // libm.so.6 is glibc's: every Linux machine has it, as a driver's library would be there.
    const { icd, r } = unpackNamingDriver('present', 'libm.so.6');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Vulkan driver: ${icd}: libm.so.6 loads`);
    expect(r.stdout).toMatch(
      /GL dispatch \(glvnd\): the (pack's \(the machine has none\)|machine's)/,
    );
  });

  it("uses the pack's glvnd only where the machine's loader finds none", () => {
    expect(deviceFunction('glvnd_missing', 'libm.so.6')).toBe(false);
    expect(deviceFunction('glvnd_missing', 'libcmexam_no_such_library.so.0')).toBe(true);
    const pack = '/tmp/cmexam-gpu-pack-test';
    const withGl = deviceFunction('environment', pack, true) as Record<string, string>;
    const without = deviceFunction('environment', pack, false) as Record<string, string>;
    const dirs = (env: Record<string, string>) => env.LD_LIBRARY_PATH.split(':');
    // The pack's own libraries first, then the machine's, then (only if needed) its glvnd, so a
    // machine's own glvnd is never shadowed.
    expect(dirs(withGl).slice(0, 2)).toEqual([`${pack}/lib`, `${pack}/chromium`]);
    expect(dirs(withGl).at(-1)).toBe(`${pack}/lib-gl`);
    expect(dirs(without)).not.toContain(`${pack}/lib-gl`);
    expect(dirs(without).slice(0, 2)).toEqual([`${pack}/lib`, `${pack}/chromium`]);
  });
});
