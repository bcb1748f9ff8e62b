// Helpers shared by the parts of `npm run bench`: formatting, timing, builds and the browser.
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { chromium } from '@playwright/test';

export const root = resolve(import.meta.dirname, '../..');

export const fmt = (n, digits = 0) =>
  n === null || n === undefined || !Number.isFinite(n)
    ? 'n/a'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const since = (t) => `${fmt((performance.now() - t) / 1000, 1)} s`;

/** Median of the finite values; null when there are none. */
export function median(values) {
  const v = values.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Prints a section heading; returns the start time for `since`. */
export function step(name) {
  console.log(`\n== ${name}`);
  return performance.now();
}

/**
 * Runs a command in the repository root and returns its stdout; throws with its output when it
 * fails. `options` go to spawnSync (an `env`, say).
 */
export function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  if (r.status !== 0) {
    process.stdout.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  }
  return r.stdout;
}

/**
 * Headless Chromium with the flags every benchmark uses (no background traffic), plus `extra`;
 * `env` for the browser's processes (e.g. which Vulkan driver to load).
 */
export function launchChromium(extra = [], env = undefined) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--headless=new',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extra,
    ],
    ...(env ? { env } : {}),
  });
}

/**
 * `npx tsx scripts/score-cli.ts …`, timed from spawn to exit: stdout parsed, and the times the
 * CLI prints on stderr (`scored N rows|items in X ms`, `jieba loaded in Y ms`).
 */
export function scoreCli(args) {
  return new Promise((done, fail) => {
    const t = performance.now();
    const child = spawn('npx', ['tsx', 'scripts/score-cli.ts', ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => {
      const wallMs = performance.now() - t;
      if (code !== 0) return fail(new Error(`score CLI exited with ${code}:\n${stderr}`));
      const scoredMs = Number(/scored \d+ (?:rows|items) in ([\d.]+) ms/.exec(stderr)?.[1]);
      const jiebaMs = Number(/jieba loaded in ([\d.]+) ms/.exec(stderr)?.[1]);
      done({ wallMs, scoredMs, jiebaMs, out: JSON.parse(stdout) });
    });
  });
}
