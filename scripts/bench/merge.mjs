// Merge speed: `npm run merge` (the same code as the app's merge) on a model of Qwen2-0.5B's
// width (dim 896, ffn 4864, 14 heads / 2 KV heads) with 4 layers and a 32,000-token vocabulary
// (117 M parameters, 469 MB in F32), a seeded fine-tune in F32 and one in Q8_0. Prints figures;
// asserts nothing. Also runs alone: node scripts/bench/merge.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const dir = resolve(root, '.cache/bench/merge');

function tsx(args) {
  const t = performance.now();
  const r = spawnSync('npx', ['tsx', ...args], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsx ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return {
    json: JSON.parse(r.stdout.trim().split('\n').at(-1)),
    seconds: (performance.now() - t) / 1000,
  };
}

export async function runMergeBench() {
  console.log(
    '\n== merge (npm run merge on a 117 M-parameter model, 4 layers at Qwen2-0.5B width)',
  );
  mkdirSync(dir, { recursive: true });
  const base = resolve(dir, 'base.gguf');
  const a = resolve(dir, 'a.gguf');
  const b = resolve(dir, 'b-q8_0.gguf');
  if (!existsSync(base) || !existsSync(a) || !existsSync(b)) {
    tsx([
      'scripts/tiny-model/cli.ts',
      base,
      '--dim',
      '896',
      '--ffn',
      '4864',
      '--layers',
      '4',
      '--heads',
      '14',
      '--kv-heads',
      '2',
      '--vocab',
      '32000',
    ]);
    tsx(['scripts/tiny-model/cli.ts', a, '--from', base, '--delta-scale', '0.01', '--seed', '1']);
    tsx([
      'scripts/tiny-model/cli.ts',
      b,
      '--from',
      base,
      '--delta-scale',
      '0.01',
      '--seed',
      '2',
      '--type',
      'q8_0',
    ]);
  }
  for (const method of ['linear', 'task-arithmetic', 'ties', 'dare-ties', 'slerp']) {
    const models = method === 'slerp' ? ['--model', a] : ['--model', a, '--model', b];
    const out = resolve(dir, `out-${method}.gguf`);
    const { json, seconds } = tsx([
      'scripts/merge-cli.ts',
      '--base',
      base,
      ...models,
      '--method',
      method,
      '--density',
      '0.5',
      '--out',
      out,
    ]);
    console.log(
      `${method.padEnd(16)} ${json.seconds.toFixed(1)} s merging (${seconds.toFixed(1)} s with start-up), ` +
        `${(json.bytes / 1e6).toFixed(0)} MB Q8_0 written, ${(json.bytes / 1e6 / json.seconds).toFixed(0)} MB/s out, ` +
        `largest tensor working set ${(json.peakTensorBytes / 1e6).toFixed(0)} MB`,
    );
    rmSync(out, { force: true });
  }
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) await runMergeBench();
