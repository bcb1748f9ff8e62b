/**
 * An exam as a link: `?mode=exam&dataset=cmexam&split=val&n=20&seed=3` opens the sitting (and
 * imports the split if needed). Every problem is listed; nothing falls back silently.
 *
 * | parameter   | values                                            | default / rule                   |
 * | ----------- | ------------------------------------------------- | -------------------------------- |
 * | `mode`      | `exam`                                            | required                         |
 * | `dataset`, `split`, `mirror` | as for runs (dataset/url-params.ts)  | required                         |
 * | `subset`, `n`, `stratify`, `filter`, `shard` | as for runs          | `all` without `n`, `first` with  |
 * | `seed`      | whole number 0 … 4294967295                       | `0`                              |
 * | `multi`     | `include` (asked, and say so) or `skip`           | `include`                        |
 * | `time`      | minutes, 1 … 1440                                 | no limit                         |
 * | `title`     | text, at most 200 characters                      | none                             |
 */
import { customSplitName, splitIdFor } from '../dataset/ids';
import {
  KNOWN_PARAMS as DATASET_PARAMS,
  parseDatasetLink,
  type DatasetLinkRequest,
} from '../dataset/url-params';
import {
  datasetParams,
  oneOf,
  queryOf,
  readInt,
  readSubset,
  subsetParams,
  SUBSET_PARAMS,
} from '../eval/params';
import { canonicalJson, DEFAULT_SEED, MAX_SEED } from '../eval/spec';
import { english, msg, TranslatableError, type Message } from '../i18n/translate';
import {
  canonicalExamSpec,
  DEFAULT_EXAM_MULTI,
  EXAM_MULTI,
  MAX_EXAM_MINUTES,
  MAX_TITLE_LENGTH,
  examSpecProblems,
  type ExamSpec,
} from './spec';

export const EXAM_PARAMS = ['mode', ...SUBSET_PARAMS, 'seed', 'multi', 'time', 'title'] as const;
const ALL_PARAMS: readonly string[] = [...DATASET_PARAMS, ...EXAM_PARAMS];

export interface ExamLink {
  spec: ExamSpec | null;
  dataset: DatasetLinkRequest | null;
  /** Every problem, in English (logs, tests, CLIs). */
  problems: string[];
  /** The same problems as Messages the UI translates. */
  messages: Message[];
}

/** Is this a link to an exam (`mode=exam`)? Then `parseExamLink` reads it, not the run parser. */
export function isExamLink(search: string): boolean {
  return new URLSearchParams(search).get('mode') === 'exam';
}

export function parseExamLink(search: string): ExamLink {
  const link = readExamLink(search);
  return { ...link, problems: link.messages.map(english) };
}

function readExamLink(search: string): Omit<ExamLink, 'problems'> {
  const params = new URLSearchParams(search);
  const problems: Message[] = [];
  for (const key of new Set(params.keys())) {
    if (!ALL_PARAMS.includes(key)) problems.push(msg('examLinkUnknownParam', { key }));
    else if (key !== 'filter' && params.getAll(key).length > 1)
      problems.push(msg('linkRepeated', { key }));
  }
  if (params.get('mode') !== 'exam')
    problems.push(msg('examLinkMode', { value: params.get('mode') ?? '' }));
  const datasetOnly = new URLSearchParams();
  for (const [k, v] of params) {
    if ((DATASET_PARAMS as readonly string[]).includes(k)) datasetOnly.append(k, v);
  }
  const datasetPart = parseDatasetLink(datasetOnly.toString());
  problems.push(...datasetPart.messages);
  const request = datasetPart.request;
  if (params.get('dataset') === null) problems.push(msg('examLinkNeedsDataset'));
  let splitId: string | null = null;
  if (request?.kind === 'cmexam') splitId = splitIdFor('cmexam', request.split);
  else if (request?.kind === 'url')
    splitId = splitIdFor('custom', request.split ?? customSplitName(request.url));

  const subset = readSubset(params, problems);
  const seed = readInt(params.get('seed'), 'seed', 0, MAX_SEED, problems) ?? DEFAULT_SEED;
  const multiRaw = params.get('multi');
  const multi =
    multiRaw === null
      ? DEFAULT_EXAM_MULTI
      : (oneOf(multiRaw, 'multi', EXAM_MULTI, problems) ?? DEFAULT_EXAM_MULTI);
  const timeRaw = params.get('time');
  const timeMinutes =
    timeRaw === null
      ? null
      : readInt(timeRaw, 'time', 1, MAX_EXAM_MINUTES, problems, msg('examHintTime'));
  const titleRaw = params.get('title');
  let title: string | null = null;
  if (titleRaw !== null) {
    title = titleRaw.trim();
    if (title === '') problems.push(msg('examLinkTitleEmpty'));
    else if (title.length > MAX_TITLE_LENGTH)
      problems.push(msg('examLinkTitleLong', { max: MAX_TITLE_LENGTH }));
  }
  if (problems.length || !splitId || !subset || !request)
    return { spec: null, dataset: null, messages: problems };
  const spec = canonicalExamSpec({ splitId, subset, seed, multi, timeMinutes, title });
  problems.push(...examSpecProblems(spec));
  if (problems.length) return { spec: null, dataset: null, messages: problems };
  return { spec, dataset: request, messages: problems };
}

/**
 * The query string (no leading `?`) of the link to an exam; every setting written out. Throws
 * when the exam cannot be a link (a split from a local file): `parseExamLink` of the result
 * always gives back the canonical spec.
 */
export function examLinkFor(spec: ExamSpec, dataset: DatasetLinkRequest): string {
  const c = canonicalExamSpec(spec);
  const out: [string, string][] = [['mode', 'exam'], ...datasetParams(dataset)];
  out.push(...subsetParams(c.subset), ['seed', String(c.seed)], ['multi', c.multi]);
  if (c.timeMinutes !== null) out.push(['time', String(c.timeMinutes)]);
  if (c.title !== null) out.push(['title', c.title]);
  const query = queryOf(out);
  const back = parseExamLink(query);
  if (back.messages.length)
    throw new TranslatableError(
      msg('examLinkUnwritable', { problems: msg('sentences', { list: back.messages }) }),
    );
  if (canonicalJson(back.spec) !== canonicalJson(c))
    throw new TranslatableError(msg('examLinkReadsBack', { split: c.splitId }));
  return query;
}
