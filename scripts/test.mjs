// `npm test`: every check and test, ending with one line "N passed, N failed".
// Finds a Chromium (CHROMIUM_PATH, /usr/bin/chromium, or Playwright's own); on Debian or
// Ubuntu as root it installs the `chromium` package when none is found.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
process.chdir(root);
mkdirSync('test-results', { recursive: true });

function run(cmd, args, opts = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { stdio: 'inherit', ...opts }).status ?? 1;
}

async function findChromium() {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ].filter(Boolean);
  try {
    const { chromium } = await import('@playwright/test');
    candidates.push(chromium.executablePath());
  } catch {
    // Playwright's own browser is optional.
  }
  return candidates.find((p) => existsSync(p));
}

let chromium = await findChromium();
if (!chromium) {
  const debian = existsSync('/etc/debian_version');
  if (debian && process.getuid?.() === 0) {
    console.log('No Chromium found: installing Debian/Ubuntu package "chromium"…');
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', 'chromium']);
    chromium = await findChromium();
  }
  if (!chromium) {
    console.error(
      'No Chromium found. Install one (Debian/Ubuntu: apt-get install chromium) or set ' +
        'CHROMIUM_PATH to a Chromium or Chrome executable, then run `npm test` again.',
    );
    process.exit(1);
  }
}
console.log(`Chromium: ${chromium}`);

const shared = process.env.CMEXAM_SHARED ?? resolve(root, '../shared/cmexam');
if (!existsSync(resolve(shared, 'val.csv'))) {
  console.error(`CMExam's val.csv was not found in ${shared}: set CMEXAM_SHARED to its folder.`);
  process.exit(1);
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const env = { ...process.env, CHROMIUM_PATH: chromium, CMEXAM_SHARED: shared };

// Static checks count as one test each.
for (const [name, args] of [
  ['types', ['run', '-s', 'check']],
  ['format', ['run', '-s', 'format:check']],
]) {
  const ok = run('npm', args, { env }) === 0;
  totals[ok ? 'passed' : 'failed']++;
  if (!ok) console.log(`✘ ${name} check failed`);
}

// Unit tests.
const unitReport = 'test-results/unit.json';
run(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${unitReport}`],
  { env },
);
if (existsSync(unitReport)) {
  const r = JSON.parse(readFileSync(unitReport, 'utf8'));
  totals.passed += r.numPassedTests;
  totals.failed +=
    r.numFailedTests + (r.numTotalTestSuites > 0 && !r.success && r.numFailedTests === 0 ? 1 : 0);
  totals.skipped += r.numPendingTests + r.numTodoTests;
} else totals.failed++;

// Browser tests run against the production build.
if (run('npx', ['vite', 'build', '--logLevel', 'warn'], { env }) !== 0) {
  totals.failed++;
} else {
  const e2eReport = 'test-results/e2e.json';
  run('npx', ['playwright', 'test'], { env });
  if (existsSync(e2eReport)) {
    const s = JSON.parse(readFileSync(e2eReport, 'utf8')).stats;
    totals.passed += s.expected + s.flaky;
    totals.failed += s.unexpected;
    totals.skipped += s.skipped;
  } else totals.failed++;
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
