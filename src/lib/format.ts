/** Human-readable sizes: 5.1 MB, 812 kB (decimal units, as browsers show downloads). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Remaining time from progress so far; null until there is enough to estimate. */
export function estimateRemainingMs(
  done: number,
  total: number | null,
  elapsedMs: number,
): number | null {
  if (!total || done <= 0 || elapsedMs < 500 || done >= total) return null;
  return (elapsedMs / done) * (total - done);
}

// One formatter: `toLocaleString` builds a new one on every call, which the run page's
// progress line did several times a second.
const counts = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return counts.format(n);
}

/** The mark for a number that does not exist (no answers yet, no explanations to score). */
export const NO_NUMBER = '–';

/** A fraction as a percentage: 0.7163 → `71.6` (no sign); null, NaN and ±∞ → `–`. */
export function formatPercent(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v)
    ? NO_NUMBER
    : (v * 100).toFixed(digits);
}

/** A number with fixed decimals (BLEU ×100, tokens/s, p-values); null, NaN and ±∞ → `–`. */
export function formatNumber(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? NO_NUMBER : v.toFixed(digits);
}
