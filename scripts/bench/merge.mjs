// Merge speed and memory: parents of about 500 MB each in F16 (Qwen2-0.5B's width: dim 896, ffn
// 4864, 14 heads / 2 KV heads, 13 layers, a 32,000-token vocabulary: 251 M parameters), a base
// and two seeded fine-tunes. `npm run merge` (the CLI) runs every method; a browser worker runs
// `ties` and `task-arithmetic` exactly as the app's merge worker does (the picked files read in
// place, the output written to OPFS). Throughput is MB of input (all three parents) per second,
// beside the plain memory-copy bandwidth measured in the same run, in Node and in the worker:
// the ratio is the figure to improve. Peak memory: the CLI's resident set, and the growth of
// Chromium's processes' resident memory while the worker merges. Prints figures; asserts
// nothing. Also runs alone: node scripts/bench/merge.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fmt, launchChromium, root, run, since, step } from './common.mjs';
import { startServer } from './server.mjs';

const dir = resolve(root, '.cache/bench/merge-f16');
const pageDist = resolve(root, '.cache/bench/page-dist');
const MB = 1e6;

function tsx(args) {
  const t = performance.now();
  const r = spawnSync('npx', ['tsx', ...args], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsx ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return {
    json: JSON.parse(r.stdout.trim().split('\n').at(-1)),
    seconds: (performance.now() - t) / 1000,
  };
}

/** Plain memory copy in Node: the best of 5 copies of 512 MB, MB/s. */
function nodeCopyBandwidth() {
  const src = Buffer.alloc(512 * MB, 1);
  const dst = Buffer.alloc(src.length);
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    src.copy(dst);
    best = Math.min(best, performance.now() - t);
  }
  return 512 / (best / 1000);
}

/** Resident memory (bytes) of a process's descendants (not itself), from /proc. */
function descendantsRss(pid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${name}/status`, 'utf8'))[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length) {
    const p = stack.pop();
    try {
      total +=
        Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      // gone
    }
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

function ensureModels() {
  mkdirSync(dir, { recursive: true });
  const base = resolve(dir, 'base-f16.gguf');
  const a = resolve(dir, 'a-f16.gguf');
  const b = resolve(dir, 'b-f16.gguf');
  if (!existsSync(base) || !existsSync(a) || !existsSync(b)) {
    const t = step('merge: generate a base and two fine-tunes in F16 (about 500 MB each)');
    tsx([
      'scripts/tiny-model/cli.ts',
      base,
      '--dim',
      '896',
      '--ffn',
      '4864',
      '--layers',
      '13',
      '--heads',
      '14',
      '--kv-heads',
      '2',
      '--vocab',
      '32000',
      '--ftype',
      'f16',
    ]);
    tsx(['scripts/tiny-model/cli.ts', a, '--from', base, '--delta-scale', '0.01', '--seed', '1']);
    tsx(['scripts/tiny-model/cli.ts', b, '--from', base, '--delta-scale', '0.01', '--seed', '2']);
    console.log(`took ${since(t)}`);
  }
  return { base, a, b };
}

export async function runMergeBench({ buildPage = true, cli: withCli = true } = {}) {
  const { base, a, b } = ensureModels();
  const sizes = [base, a, b].map((p) => statSync(p).size);
  const input3 = sizes.reduce((x, y) => x + y, 0);
  console.log(
    `\n== merge: parents ${sizes.map((s) => fmt(s / MB)).join(' + ')} MB (F16), output Q8_0`,
  );
  const nodeCopy = nodeCopyBandwidth();
  console.log(`memory copy in Node: ${fmt(nodeCopy)} MB/s`);

  let t = step('merge: the CLI (npm run merge), every method');
  const cli = {};
  for (const method of withCli ? ['linear', 'task-arithmetic', 'ties', 'dare-ties', 'slerp'] : []) {
    const models = method === 'slerp' ? ['--model', a] : ['--model', a, '--model', b];
    const input = method === 'slerp' ? sizes[0] + sizes[1] : input3;
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
    rmSync(out, { force: true });
    cli[method] = input / MB / json.seconds;
    console.log(
      `${method.padEnd(16)} ${fmt(json.seconds, 1)} s (${fmt(seconds, 1)} s with start-up): ` +
        `${fmt(cli[method])} MB/s of input, ${fmt(cli[method] / nodeCopy, 3)} of memory copy; ` +
        `peak RSS ${fmt(json.maxRssBytes / MB)} MB (the merge's working-set bound ` +
        `${fmt(json.peakTensorBytes / MB)} MB)`,
    );
  }
  console.log(`took ${since(t)}`);

  if (buildPage) {
    t = step('merge: build the bench pages');
    run('npx', ['vite', 'build', '-c', 'scripts/bench/vite.bench.config.ts']);
    console.log(`built ${pageDist} in ${since(t)}`);
  }
  const { server, port } = await startServer({ '/bench-page/': pageDist });
  const browser = await launchChromium();
  try {
    t = step('merge: in a browser worker, as the app merges (File in place → OPFS)');
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    await page.goto(`http://127.0.0.1:${port}/bench-page/merge.html`);
    await page.waitForFunction(() => typeof window.mergeBench?.run === 'function');
    await page.locator('#files').setInputFiles([base, a, b]);
    const workerCopy = await page.evaluate(() => window.mergeBench.copyBandwidth(256));
    console.log(`memory copy in the worker: ${fmt(workerCopy)} MB/s`);
    // Chromium's processes are this process's descendants (Playwright starts them).
    for (const method of ['task-arithmetic', 'ties']) {
      const idle = descendantsRss(process.pid);
      let peak = idle;
      const timer = setInterval(() => (peak = Math.max(peak, descendantsRss(process.pid))), 250);
      const r = await page.evaluate((o) => window.mergeBench.run(o), { method, density: 0.5 });
      clearInterval(timer);
      const rate = r.inputBytes / MB / r.seconds;
      console.log(
        `${method.padEnd(16)} ${fmt(r.seconds, 1)} s: ${fmt(rate)} MB/s of input, ` +
          `${fmt(rate / workerCopy, 3)} of memory copy; ` +
          (cli[method] === undefined
            ? ''
            : `CLI ${fmt(cli[method])} MB/s (browser / CLI ${fmt(rate / cli[method], 2)}); `) +
          `Chromium's resident memory grew ${fmt((peak - idle) / MB)} MB ` +
          `(the merge's working-set bound ${fmt(r.peakTensorBytes / MB)} MB)`,
      );
    }
    console.log(`took ${since(t)}`);
  } finally {
    await browser.close();
    server.close();
  }
}

// `--browser-only` skips the CLI part (when only the worker's figures are wanted).
if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename))
  await runMergeBench({ cli: !process.argv.includes('--browser-only') });
