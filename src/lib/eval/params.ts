/**
 * Query parameters shared by every kind of link (runs, exams): which questions of a split
 * (`subset`, `n`, `stratify`, `filter`, `shard`), whole numbers, one-of choices, and how a
 * value is written. Every problem is listed in words that name the parameter, as a Message (its
 * English form is `english(m)`).
 */
import type { DatasetLinkRequest } from '../dataset/url-params';
import { msg, type Message } from '../i18n/translate';
import { compareCodePoints, MODES } from './spec';
import type { SubsetSpec } from './types';

/** The subset parameters, in the order links write them. */
export const SUBSET_PARAMS = ['subset', 'n', 'stratify', 'filter', 'shard'] as const;

export function readSubset(params: URLSearchParams, problems: Message[]): SubsetSpec | null {
  const ok = problems.length;
  const modeRaw = params.get('subset');
  const nRaw = params.get('n');
  const stratify = params.get('stratify');
  // Loud rule: no `subset` means `all` without `n`, and `first` (file order) with `n`.
  const mode =
    modeRaw === null
      ? nRaw === null
        ? 'all'
        : 'first'
      : oneOf(modeRaw, 'subset', MODES, problems);
  let n: number | null = null;
  if (mode === 'all' && nRaw !== null) {
    problems.push(msg('linkNWithAll'));
  } else if (mode !== null && mode !== 'all') {
    if (nRaw === null) problems.push(msg('linkSubsetNeedsN', { mode }));
    else {
      n = readInt(nRaw, 'n', 1, Number.MAX_SAFE_INTEGER, problems, msg('linkHintN'));
    }
  }
  let stratifyBy: string | null = null;
  if (mode === 'stratified') {
    if (stratify === null) {
      problems.push(msg('linkStratifiedNeeds'));
    } else if (stratify.trim() === '') problems.push(msg('linkStratifyEmpty'));
    else stratifyBy = stratify.trim();
  } else if (stratify !== null && mode !== null) {
    problems.push(msg('linkStratifyOnly', { mode }));
  }
  const filters = readFilters(params.getAll('filter'), problems);
  const shard = readShard(params.get('shard'), problems);
  if (problems.length > ok || mode === null) return null;
  return { filters, mode, n, stratifyBy, shard };
}

function readFilters(raws: string[], problems: Message[]): Record<string, string[]> {
  const filters: Record<string, string[]> = {};
  for (const raw of raws) {
    const colon = raw.indexOf(':');
    const column = colon < 0 ? '' : raw.slice(0, colon).trim();
    const values =
      colon < 0
        ? []
        : raw
            .slice(colon + 1)
            .split('|')
            .map((v) => v.trim());
    if (column === '' || values.some((v) => v === '')) {
      problems.push(msg('linkFilterShape', { value: raw }));
    } else if (Object.hasOwn(filters, column)) {
      problems.push(msg('linkFilterTwice', { column }));
    } else filters[column] = [...new Set(values)].sort(compareCodePoints);
  }
  const sorted: Record<string, string[]> = {};
  for (const c of Object.keys(filters).sort(compareCodePoints)) sorted[c] = filters[c];
  return sorted;
}

function readShard(raw: string | null, problems: Message[]): SubsetSpec['shard'] {
  if (raw === null) return { index: 1, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count)) {
    problems.push(msg('linkShardShape', { value: raw }));
  } else if (count < 1 || index < 1 || index > count) {
    problems.push(msg('linkShardRange', { value: raw }));
  }
  return { index, count };
}

export function oneOf<T extends string>(
  raw: string,
  name: string,
  allowed: readonly T[],
  problems: Message[],
): T | null {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  problems.push(msg('linkOneOf', { name, allowed: allowed.join(', '), value: raw }));
  return null;
}

/** Plain decimal digits only: `1e3`, `+5`, `5.0` and blanks are refused, not reinterpreted. */
export function readInt(
  raw: string | null,
  name: string,
  min: number,
  max: number,
  problems: Message[],
  hint: Message | '' = '',
): number | null {
  if (raw === null) return null;
  const v = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER
        ? msg('linkRangeAtLeast', { min })
        : msg('linkRangeFromTo', { min, max });
    problems.push(msg('linkWholeNumber', { name, range, value: raw, hint }));
    return null;
  }
  return v;
}

/** Percent-encode a value, but keep `/` and `:` (valid in a query) so links stay readable. */
export function encodeParam(v: string): string {
  return encodeURIComponent(v).replace(/%2F/g, '/').replace(/%3A/g, ':');
}

/** The parameters that name a dataset split. */
export function datasetParams(dataset: DatasetLinkRequest): [string, string][] {
  if (dataset.kind === 'cmexam') {
    const out: [string, string][] = [
      ['dataset', 'cmexam'],
      ['split', dataset.split],
    ];
    if (dataset.mirror !== null) out.push(['mirror', dataset.mirror]);
    return out;
  }
  const out: [string, string][] = [['dataset', dataset.url]];
  if (dataset.split !== null) out.push(['split', dataset.split]);
  if (dataset.answers) out.push(['answers', dataset.answers]);
  return out;
}

/** The parameters of a subset, every setting that matters written out (shard only when not 1/1). */
export function subsetParams(s: SubsetSpec): [string, string][] {
  const out: [string, string][] = [['subset', s.mode]];
  if (s.mode !== 'all' && s.n !== null) out.push(['n', String(s.n)]);
  if (s.mode === 'stratified' && s.stratifyBy !== null) out.push(['stratify', s.stratifyBy]);
  for (const [column, values] of Object.entries(s.filters)) {
    out.push(['filter', `${column}:${values.join('|')}`]);
  }
  if (s.shard.count !== 1 || s.shard.index !== 1) {
    out.push(['shard', `${s.shard.index}/${s.shard.count}`]);
  }
  return out;
}

/** A query string (no leading `?`) from parameters in order. */
export function queryOf(params: [string, string][]): string {
  return params.map(([k, v]) => `${k}=${encodeParam(v)}`).join('&');
}
