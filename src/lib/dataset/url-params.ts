import type { SplitRecord } from '../db/database';
import { english, msg, type Message } from '../i18n/translate';
import { CMEXAM_SPLITS, DEFAULT_CMEXAM_BASE, isCmexamSplit, type CmexamSplit } from './ids';

/** What a link asks the app to import on load. */
export type DatasetLinkRequest =
  | { kind: 'cmexam'; split: CmexamSplit; mirror: string | null }
  | {
      kind: 'url';
      url: string;
      split: string | null;
      /** CMB's test answers, shipped apart from the questions (`answers=<url>`). */
      answers?: string;
    };

export interface LinkParseResult {
  request: DatasetLinkRequest | null;
  /** Every problem, in English (logs, tests, CLIs). */
  problems: string[];
  /** The same problems as Messages the UI translates. */
  messages: Message[];
}

/** Query parameters the app understands; any other one is reported, never ignored. */
export const KNOWN_PARAMS = ['dataset', 'split', 'mirror', 'answers'] as const;

/**
 * Read `?dataset=cmexam&split=val` (optionally `&mirror=<base url>`) or `?dataset=<file url>`.
 * Every problem is listed; nothing falls back to a default silently.
 */
export function parseDatasetLink(search: string): LinkParseResult {
  const messages: Message[] = [];
  const request = readDatasetLink(new URLSearchParams(search), messages);
  return { request, problems: messages.map(english), messages };
}

function readDatasetLink(params: URLSearchParams, problems: Message[]): DatasetLinkRequest | null {
  for (const key of new Set(params.keys())) {
    if (!(KNOWN_PARAMS as readonly string[]).includes(key)) {
      problems.push(msg('linkUnknownParam', { key }));
    } else if (params.getAll(key).length > 1) {
      problems.push(msg('linkRepeated', { key }));
    }
  }
  const dataset = params.get('dataset');
  const split = params.get('split');
  const mirror = params.get('mirror');
  const answers = params.get('answers');
  if (answers !== null && (dataset === null || dataset === 'cmexam'))
    problems.push(msg('linkAnswersOnlyUrl'));
  else if (answers !== null && !isHttpUrl(answers))
    problems.push(msg('linkAnswersUrl', { value: answers }));
  if (dataset === null) {
    if (split !== null) problems.push(msg('linkSplitNeedsDataset'));
    if (mirror !== null) problems.push(msg('linkMirrorNeedsDataset'));
    return null;
  }
  const splits = Object.keys(CMEXAM_SPLITS).join(', ');
  if (dataset === 'cmexam') {
    if (split === null) problems.push(msg('linkCmexamNeedsSplit', { splits }));
    else if (!isCmexamSplit(split)) problems.push(msg('linkUnknownCmexamSplit', { split, splits }));
    if (mirror !== null && !isHttpUrl(mirror)) {
      problems.push(msg('linkMirrorUrl', { value: mirror }));
    }
    if (problems.length > 0 || split === null || !isCmexamSplit(split)) return null;
    return { kind: 'cmexam', split, mirror };
  }
  if (!isHttpUrl(dataset)) {
    problems.push(msg('linkDataset', { value: dataset }));
    return null;
  }
  if (mirror !== null) problems.push(msg('linkMirrorOnlyCmexam'));
  if (split !== null && !/^[\p{L}\p{N}_.-]+$/u.test(split)) {
    problems.push(msg('linkSplitName', { value: split }));
  }
  if (problems.length > 0) return null;
  return { kind: 'url', url: dataset, split, ...(answers !== null ? { answers } : {}) };
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
  split: Pick<SplitRecord, 'id' | 'dataset' | 'split' | 'sourceUrl' | 'answerKeyUrl'>,
  mirror: string,
): DatasetLinkRequest | { reason: Message } {
  if (split.dataset === 'cmexam' && isCmexamSplit(split.split))
    return {
      kind: 'cmexam',
      split: split.split,
      mirror: mirror === DEFAULT_CMEXAM_BASE ? null : mirror,
    };
  if (!split.sourceUrl) return { reason: msg('linkLocalSplit', { split: split.id }) };
  return {
    kind: 'url',
    url: split.sourceUrl,
    split: split.split,
    ...(split.answerKeyUrl ? { answers: split.answerKeyUrl } : {}),
  };
}
