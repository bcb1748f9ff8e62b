// `npm test`: every check and test, ending with one line "N passed, N failed".
// Finds a Chromium (CHROMIUM_PATH, /usr/bin/chromium, or Playwright's own); on Debian or
// Ubuntu as root it installs the `chromium` package when none is found.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, mkdirSync } from 'node:fs';
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

// The real web-llm test (tests/e2e/webllm-real.spec.ts) needs the shared model library and
// Mesa's lavapipe Vulkan driver, a software GPU about 4× faster than Chromium's SwiftShader.
const webllmLibrary = resolve(
  process.env.WEBLLM_SHARED ?? resolve(shared, '../webllm'),
  'Qwen2-0.5B-Instruct-q4f32_1-ctx4k_cs1k-webgpu.wasm',
);
if (!existsSync(webllmLibrary)) {
  console.error(`The web-llm model library ${webllmLibrary} was not found: set WEBLLM_SHARED.`);
  process.exit(1);
}
const hasLavapipe = () =>
  existsSync('/usr/share/vulkan/icd.d') &&
  readdirSync('/usr/share/vulkan/icd.d').some((f) => /^lvp_icd\..*\.json$/.test(f));
if (!hasLavapipe() && existsSync('/etc/debian_version') && process.getuid?.() === 0) {
  console.log('No lavapipe found: installing Debian/Ubuntu package "mesa-vulkan-drivers"…');
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', 'mesa-vulkan-drivers']);
}
if (!hasLavapipe()) {
  console.log(
    'Mesa lavapipe was not found (Debian/Ubuntu: apt-get install mesa-vulkan-drivers): the real ' +
      'web-llm test runs on SwiftShader instead, about 4× slower.',
  );
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

// Browser tests run against the production build, and the real web-llm test against the same
// app built with web-llm 0.2.79 (the release that loads the shared library), on a model generated
// for that library.
const built = run('npx', ['vite', 'build', '--logLevel', 'warn'], { env }) === 0;
const webgpuBuilt =
  run('npm', ['run', '-s', 'build:webgpu-test', '--', '--logLevel', 'warn'], { env }) === 0 &&
  run(
    'npx',
    ['tsx', 'scripts/mlc-model/cli.ts', '--lib', webllmLibrary, '--out', '.cache/mlc-qwen2-random'],
    { env },
  ) === 0;
if (!built || !webgpuBuilt) {
  totals.failed++;
} else {
  const e2eReport = 'test-results/e2e.json';
  run('npx', ['playwright', 'test'], { env: { ...env, CMEXAM_WEBLLM_REAL: '1' } });
  if (existsSync(e2eReport)) {
    const s = JSON.parse(readFileSync(e2eReport, 'utf8')).stats;
    totals.passed += s.expected + s.flaky;
    totals.failed += s.unexpected;
    totals.skipped += s.skipped;
  } else totals.failed++;
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
