// Dev tool: does src/lib/scoring/jieba.ts segment like Python jieba 0.42? (docs/jieba-notes.md)
//
//   npx tsx scripts/jieba-parity.ts ../shared/cmexam/val.csv [--column Explanation] [--show 10] [--raw]
//     share of the column's texts segmented exactly as Python does, the first mismatches, timings;
//     --raw also scores jieba-wasm's own cut (HMM on) without this module's corrections.
//   npx tsx scripts/jieba-parity.ts --fixture tests/unit/fixtures/jieba-expected.json
//     rewrites each case's `tokens` with the Python oracle's output (the `text`s are the source).
//
// The oracle is scripts/jieba-parity.py, run once for all texts; the interpreter is --python,
// else $PYTHON, else python3 (`apt-get install -y python3-jieba` provides /usr/bin/python3).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { format, resolveConfig } from 'prettier';
import { cut as wasmCut } from 'jieba-wasm/web';
import { loadJieba } from '../src/lib/scoring/jieba';

const USAGE =
  'usage: tsx scripts/jieba-parity.ts <file.csv> [--column Explanation] [--show 10] [--raw] [--python python3]\n' +
  '       tsx scripts/jieba-parity.ts --fixture <jieba-expected.json> [--python python3]';
const ORACLE = fileURLToPath(new URL('./jieba-parity.py', import.meta.url));

interface Options {
  positional: string[];
  column: string;
  show: number;
  raw: boolean;
  fixture: string | null;
  python: string;
}

function parseArgs(argv: string[]): Options | null {
  const o: Options = {
    positional: [],
    column: 'Explanation',
    show: 10,
    raw: false,
    fixture: null,
    python: process.env.PYTHON ?? 'python3',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? '';
    if (arg === '--column') o.column = value();
    else if (arg === '--show') o.show = Number(value());
    else if (arg === '--raw') o.raw = true;
    else if (arg === '--fixture') o.fixture = value();
    else if (arg === '--python') o.python = value();
    else if (arg.startsWith('--')) return null;
    else o.positional.push(arg);
  }
  const ok = o.fixture ? o.positional.length === 0 : o.positional.length === 1;
  return ok && o.column && Number.isFinite(o.show) && o.python ? o : null;
}

/** Python jieba's segmentation of every text, in one run of the oracle. */
function oracle(python: string, texts: string[]): string[][] {
  const result = spawnSync(python, [ORACLE], {
    input: texts.map((t) => JSON.stringify(t) + '\n').join(''),
    maxBuffer: 1 << 30,
    env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${python} ${ORACLE} failed (${result.status}):\n${result.stderr}`);
  }
  const lines = result.stdout.toString('utf8').split('\n').filter(Boolean);
  if (lines.length !== texts.length) {
    throw new Error(`the oracle answered ${lines.length} lines for ${texts.length} texts`);
  }
  return lines.map((line) => JSON.parse(line) as string[]);
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/** The differing stretch of two segmentations of one text, with a little context. */
function describe(text: string, ours: string[], python: string[]): string {
  let head = 0;
  while (head < ours.length && head < python.length && ours[head] === python[head]) head++;
  let tail = 0;
  while (
    tail < ours.length - head &&
    tail < python.length - head &&
    ours[ours.length - 1 - tail] === python[python.length - 1 - tail]
  ) {
    tail++;
  }
  const from = Math.max(0, head - 3);
  const part = (tokens: string[]) =>
    JSON.stringify(tokens.slice(from, Math.min(tokens.length, tokens.length - tail + 3)));
  const at = python.slice(0, from).join('').length;
  return (
    `  text:   ${JSON.stringify(text.slice(at, at + 60))}\n` +
    `  python: ${part(python)}\n  ours:   ${part(ours)}`
  );
}

function timed<T>(run: () => T): [T, number] {
  const start = performance.now();
  const result = run();
  return [result, performance.now() - start];
}

async function fixture(path: string, python: string): Promise<void> {
  const cases = JSON.parse(readFileSync(path, 'utf8')) as { text: string; tokens: string[] }[];
  const expected = oracle(
    python,
    cases.map((c) => c.text),
  );
  const cut = await loadJieba();
  const updated = cases.map((c, i) => ({ text: c.text, tokens: expected[i] }));
  const options = { ...(await resolveConfig(path)), filepath: path };
  writeFileSync(path, await format(JSON.stringify(updated), options)); // as `prettier --write` would
  const differ = updated.filter((c) => !same(cut(c.text), c.tokens));
  process.stdout.write(
    `${path}: ${cases.length} cases written, ${differ.length} differ from cut()\n`,
  );
  for (const c of differ) process.stdout.write(describe(c.text, cut(c.text), c.tokens) + '\n');
}

async function parity(o: Options): Promise<void> {
  const csv = readFileSync(o.positional[0], 'utf8');
  const rows = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true });
  if (!rows.meta.fields?.includes(o.column)) throw new Error(`no column ${o.column}`);
  const texts = rows.data.map((row) => row[o.column] ?? '');

  const cut = await loadJieba(); // already loaded by main()
  const [ours, firstMs] = timed(() => texts.map(cut));
  const [, secondMs] = timed(() => texts.map(cut));
  const [expected, oracleMs] = timed(() => oracle(o.python, texts));

  const mismatches = texts.map((_, i) => i).filter((i) => !same(ours[i], expected[i]));
  const nonEmpty = texts.filter((t) => t !== '').length;
  const pct = (n: number) => ((100 * n) / texts.length).toFixed(2) + '%';
  const chars = texts.reduce((n, t) => n + t.length, 0);
  const out = [
    `${o.positional[0]}, column ${o.column}: ${texts.length} texts (${nonEmpty} non-empty, ${chars} characters)`,
    `agreement with Python jieba: ${texts.length - mismatches.length}/${texts.length} = ${pct(texts.length - mismatches.length)}`,
    `segmentation: ${firstMs.toFixed(0)} ms first pass, ${secondMs.toFixed(0)} ms second pass (Python oracle, incl. start: ${oracleMs.toFixed(0)} ms)`,
  ];
  if (o.raw) {
    const raw = texts.filter((t, i) => !same(wasmCut(t, true), expected[i])).length;
    out.push(
      `jieba-wasm alone (no corrections): ${texts.length - raw}/${texts.length} = ${pct(texts.length - raw)}`,
    );
  }
  out.push(`first mismatches (${Math.min(o.show, mismatches.length)} of ${mismatches.length}):`);
  for (const i of mismatches.slice(0, o.show)) {
    out.push(`row ${i + 2}:\n${describe(texts[i], ours[i], expected[i])}`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

async function main(argv: string[]): Promise<number> {
  const o = parseArgs(argv);
  if (!o) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  const start = performance.now();
  await loadJieba();
  process.stdout.write(`loadJieba(): ${(performance.now() - start).toFixed(0)} ms\n`);
  if (o.fixture) await fixture(o.fixture, o.python);
  else await parity(o);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
