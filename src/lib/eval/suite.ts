/**
 * A benchmark suite: one model over several splits in turn (CMExam test + CMB test + a
 * Huatuo-26M file, …) from one link, resumable as a whole, summed up in one table.
 *
 *   ?mode=suite&suite=<member>,<member>,…&<run parameters>
 *
 * A member is `cmexam:<train|val|test>`, `bench:<name>` (a benchmark file the Data step lists, by
 * its split name: `bench:cmb-test` downloads CMB's test questions with their answer key) or a
 * file's URL (percent-encoded; members are separated
 * by literal commas, so a URL's own comma is written %2C); the run parameters are a run link's (link.ts) without `dataset`/`split`, and apply
 * to every member: each member is parsed as the run link of that split, so the same rules and
 * messages hold. `mirror` applies to the CMExam members. What the suite adds:
 * - a member whose split turns out to hold open items is run with method `open` (same prompt,
 *   `zero-shot` instead of `cot` or `few-shot`, whose examples are choice questions, no circular
 *   evaluation); the others with the link's method (`choice` for `open`);
 * - few-shot examples from a CMExam split are imported once, before the runs;
 * - the runs are created together and driven one after another; each is an ordinary run (its id
 *   the hash of its spec), so opening the link again, or a reload, goes on where it stopped.
 */
import { BENCHMARK_SOURCES } from '../dataset/benchmarks';
import type { DatasetLinkRequest } from '../dataset/url-params';
import type { ItemKind } from '../dataset/types';
import { shortSha256 } from '../hash';
import { english, msg, TranslatableError, type Message } from '../i18n/translate';
import { parseRunLink, runLinkFor } from './link';
import { canonicalJson, canonicalSpec, MAX_TOKENS } from './spec';
import { readInt } from './params';
import type { RunSpec } from './types';

export const SUITE_MODE = 'suite';
export const SUITE_PARAM = 'suite';
/** The most members one suite link may name. */
export const MAX_SUITE_MEMBERS = 12;

export interface SuiteMember {
  /** As written in the link: `cmexam:val` or a URL; `stored:<split id>` for a split chosen in the Run step. */
  ref: string;
  /** How to import the member's split; null for a stored split without an address (`splitId`). */
  dataset: DatasetLinkRequest | null;
  /** The stored split of a member without an address. */
  splitId?: string;
  /** The member's run as the link gives it (method adjusted once the split's kind is known). */
  spec: RunSpec;
  /**
   * `max_tokens` for open members of a `choice` suite (a choice run takes none); null when the
   * link gives none (then the default).
   */
  openMaxTokens: number | null;
}

export interface SuiteLink {
  /** Null when the link has any problem. */
  members: SuiteMember[] | null;
  autostart: boolean;
  problems: string[];
  messages: Message[];
}

export function isSuiteLink(search: string): boolean {
  return new URLSearchParams(search).get('mode') === SUITE_MODE;
}

function memberDataset(ref: string, mirror: string | null): [string, string][] | null {
  // `bench:<name>`: a benchmark file the Data step lists (benchmarks.ts), with its answer key.
  const bench = /^bench:(.+)$/.exec(ref);
  if (bench) {
    const file = BENCHMARK_SOURCES.flatMap((b) => b.files).find((f) => f.split === bench[1]);
    if (!file) return null;
    const out: [string, string][] = [
      ['dataset', file.url],
      ['split', file.split],
    ];
    if (file.answers) out.push(['answers', file.answers]);
    return out;
  }
  const cmexam = /^cmexam:(train|val|test)$/.exec(ref);
  if (cmexam) {
    const out: [string, string][] = [
      ['dataset', 'cmexam'],
      ['split', cmexam[1]],
    ];
    if (mirror !== null) out.push(['mirror', mirror]);
    return out;
  }
  if (/^https?:\/\//i.test(ref)) return [['dataset', ref]];
  return null;
}

export function parseSuiteLink(search: string): SuiteLink {
  const params = new URLSearchParams(search);
  const messages: Message[] = [];
  // Members are split on the query's literal commas, before decoding, so that a member's own
  // comma (written %2C) stays inside it.
  const raw = /(?:^|[?&])suite=([^&]*)/.exec(search)?.[1] ?? '';
  const refs = raw
    .split(',')
    .map((r) => {
      try {
        return decodeURIComponent(r.replace(/\+/g, ' ')).trim();
      } catch {
        return r.trim();
      }
    })
    .filter((r) => r !== '');
  if (refs.length === 0) messages.push(msg('suiteNeedsMembers'));
  if (refs.length > MAX_SUITE_MEMBERS)
    messages.push(msg('suiteTooMany', { max: MAX_SUITE_MEMBERS, n: refs.length }));
  for (const key of ['dataset', 'split']) {
    if (params.has(key)) messages.push(msg('suiteNoDataset', { key }));
  }
  if (new Set(refs).size !== refs.length) messages.push(msg('suiteRepeated'));
  const mirror = params.get('mirror');
  // A choice run has no max_tokens; in a suite it is kept for the members that turn out open.
  let openMaxTokens: number | null = null;
  if (params.get('method') === 'choice' && params.has('max_tokens')) {
    openMaxTokens = readInt(params.get('max_tokens'), 'max_tokens', 1, MAX_TOKENS, messages);
    params.delete('max_tokens');
  }
  const members: SuiteMember[] = [];
  for (const ref of refs) {
    const dataset = memberDataset(ref, mirror);
    if (!dataset) {
      messages.push(msg('suiteMember', { ref }));
      continue;
    }
    const query = new URLSearchParams(dataset);
    for (const [k, v] of params) {
      if (k !== 'mode' && k !== SUITE_PARAM && k !== 'mirror' && k !== 'dataset' && k !== 'split')
        query.append(k, v);
    }
    const link = parseRunLink(query.toString());
    if (!link.spec || !link.dataset) {
      messages.push(...link.messages.map((m) => msg('suiteMemberProblem', { ref, problem: m })));
      continue;
    }
    members.push({ ref, dataset: link.dataset, spec: link.spec, openMaxTokens });
  }
  const ok = messages.length === 0;
  return {
    members: ok ? members : null,
    autostart: params.get('autostart') === '1',
    problems: messages.map(english),
    messages,
  };
}

/** The link of a suite: its members and the first member's run parameters. */
export function suiteLinkFor(members: readonly SuiteMember[], autostart: boolean): string {
  const first = members[0];
  const dataset = first.dataset;
  if (!dataset || members.some((m) => !m.dataset))
    throw new TranslatableError(msg('suiteLocalSplit'));
  const run = new URLSearchParams(runLinkFor(first.spec, dataset, autostart));
  const mirror = dataset.kind === 'cmexam' ? dataset.mirror : null;
  run.delete('dataset');
  run.delete('split');
  run.delete('mirror');
  const refs = members.map((m) => encodeURIComponent(m.ref).replace(/%3A/g, ':')).join(',');
  if (first.openMaxTokens !== null) run.set('max_tokens', String(first.openMaxTokens));
  return (
    `mode=${SUITE_MODE}&${SUITE_PARAM}=${refs}` +
    (mirror ? `&mirror=${encodeURIComponent(mirror)}` : '') +
    `&${run.toString()}`
  );
}

/**
 * A member's run once its split's kind is known: open items are answered by method `open`
 * (there is nothing to choose from), with `zero-shot` for `cot` and no circular evaluation;
 * choice questions of a suite whose method is `open` by method `choice`.
 */
export function memberSpec(
  member: Pick<SuiteMember, 'spec' | 'openMaxTokens'>,
  splitId: string,
  kind: ItemKind,
): RunSpec {
  const spec = member.spec;
  if (kind === 'choice' && spec.method === 'open')
    return canonicalSpec({ ...spec, splitId, method: 'choice' });
  if (kind !== 'open' || spec.method === 'open') return canonicalSpec({ ...spec, splitId });
  // The suite's examples are choice questions: an open member asks zero-shot instead.
  const zeroShot = spec.prompt === 'cot' || spec.prompt === 'few-shot';
  return canonicalSpec({
    ...spec,
    splitId,
    method: 'open',
    prompt: zeroShot ? 'zero-shot' : spec.prompt,
    k: zeroShot ? 0 : spec.k,
    shotsSplitId: zeroShot ? null : spec.shotsSplitId,
    circular: false,
    generation: {
      ...spec.generation,
      maxTokens: member.openMaxTokens ?? spec.generation.maxTokens,
    },
  });
}

/** A suite's id: the hash of its members and run parameters, as a run's id is of its spec. */
export async function suiteIdFor(members: readonly SuiteMember[]): Promise<string> {
  return shortSha256(
    canonicalJson({
      members: members.map((m) => m.ref),
      spec: canonicalSpec(members[0].spec),
      openMaxTokens: members[0].openMaxTokens,
    }),
  );
}
