import type { SplitRecord } from '../db/database';
import { CMEXAM_SPLITS, DEFAULT_CMEXAM_BASE, isCmexamSplit, type CmexamSplit } from './ids';

/** What a link asks the app to import on load. */
export type DatasetLinkRequest =
  | { kind: 'cmexam'; split: CmexamSplit; mirror: string | null }
  | { kind: 'url'; url: string; split: string | null };

export interface LinkParseResult {
  request: DatasetLinkRequest | null;
  problems: string[];
}

/** Query parameters the app understands; any other one is reported, never ignored. */
export const KNOWN_PARAMS = ['dataset', 'split', 'mirror'] as const;

/**
 * Read `?dataset=cmexam&split=val` (optionally `&mirror=<base url>`) or `?dataset=<file url>`.
 * Every problem is listed; nothing falls back to a default silently.
 */
export function parseDatasetLink(search: string): LinkParseResult {
  const params = new URLSearchParams(search);
  const problems: string[] = [];
  for (const key of new Set(params.keys())) {
    if (!(KNOWN_PARAMS as readonly string[]).includes(key)) {
      problems.push(`Unknown parameter "${key}".`);
    } else if (params.getAll(key).length > 1) {
      problems.push(`Parameter "${key}" is given more than once.`);
    }
  }
  const dataset = params.get('dataset');
  const split = params.get('split');
  const mirror = params.get('mirror');
  if (dataset === null) {
    if (split !== null) problems.push('"split" needs "dataset" (for example dataset=cmexam).');
    if (mirror !== null) problems.push('"mirror" needs dataset=cmexam.');
    return { request: null, problems };
  }
  const splits = Object.keys(CMEXAM_SPLITS).join(', ');
  if (dataset === 'cmexam') {
    if (split === null) problems.push(`dataset=cmexam needs "split", one of ${splits}.`);
    else if (!isCmexamSplit(split))
      problems.push(`Unknown CMExam split "${split}": use ${splits}.`);
    if (mirror !== null && !isHttpUrl(mirror)) {
      problems.push(`"mirror" must be an http(s) URL, not "${mirror}".`);
    }
    if (problems.length > 0 || split === null || !isCmexamSplit(split)) {
      return { request: null, problems };
    }
    return { request: { kind: 'cmexam', split, mirror }, problems };
  }
  if (!isHttpUrl(dataset)) {
    problems.push(
      `"dataset" must be "cmexam" or the http(s) URL of a CSV, JSON or JSONL file, not "${dataset}".`,
    );
    return { request: null, problems };
  }
  if (mirror !== null) problems.push('"mirror" only applies to dataset=cmexam.');
  if (split !== null && !/^[\p{L}\p{N}_.-]+$/u.test(split)) {
    problems.push(`"split" may contain only letters, digits, "_", "." and "-", not "${split}".`);
  }
  if (problems.length > 0) return { request: null, problems };
  return { request: { kind: 'url', url: dataset, split }, problems };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * How a link names a stored split (runs and exams alike), or why it cannot: a split imported
 * from a local file has no address another browser could download.
 */
export function linkRequestFor(
  split: Pick<SplitRecord, 'id' | 'dataset' | 'split' | 'sourceUrl'>,
  mirror: string,
): DatasetLinkRequest | { reason: string } {
  if (split.dataset === 'cmexam' && isCmexamSplit(split.split))
    return {
      kind: 'cmexam',
      split: split.split,
      mirror: mirror === DEFAULT_CMEXAM_BASE ? null : mirror,
    };
  if (!split.sourceUrl)
    return { reason: `${split.id} was imported from a local file, which a link cannot carry.` };
  return { kind: 'url', url: split.sourceUrl, split: split.split };
}
