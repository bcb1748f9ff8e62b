/**
 * A run is pinned to the content of its split: the split file's SHA-256 and a fingerprint of
 * each of its questions are recorded when it is created. Run ids stay a hash of the spec alone
 * (the same link is the same run), so a re-import of different content under the same split id
 * would otherwise silently change an existing run's questions. A stale run is not driven again,
 * and its reports use only the answers whose question is unchanged.
 */
import type { RunRecord, SplitRecord } from '../db/database';
import { fnv1a32 } from '../random';
import { msg, type Message } from '../i18n/translate';
import { canonicalJson } from './spec';
import type { EvalQuestion } from './types';

/**
 * 8 hex digits over what a question is: text, options, answer, explanation, annotations (and an
 * open item's context and references). Two
 * different questions pass as the same with probability 2⁻³², per question; enough to tell a
 * re-imported question apart, not a security check.
 */
export function questionFingerprint(
  q: Pick<EvalQuestion, 'question' | 'options' | 'answer' | 'explanation' | 'annotations'> &
    Partial<Pick<EvalQuestion, 'kind' | 'context' | 'references'>>,
): string {
  const text = canonicalJson({
    q: q.question,
    o: q.options.map((o) => [o.key, o.text]),
    a: q.answer,
    e: q.explanation,
    n: q.annotations,
    // Open items only (a choice question's fingerprint is what it was before they existed).
    ...(q.kind === 'open' ? { c: q.context ?? '', r: q.references ?? [] } : {}),
  });
  return fnv1a32(text).toString(16).padStart(8, '0');
}

export type PinState =
  | { state: 'current' }
  /** Created before pinning: pinned to the stored split the next time it runs. */
  | { state: 'unpinned' }
  | { state: 'absent'; reason: Message }
  | { state: 'stale'; reason: Message }
  /** Recorded without its dataset's hash (a results file that had none). */
  | { state: 'unknown'; reason: Message };

/** Whether the stored split still holds the content a run was created on. */
export function pinStateOf(
  run: Pick<RunRecord, 'spec' | 'splitSha256'>,
  split: Pick<SplitRecord, 'id' | 'sha256'> | undefined,
): PinState {
  const splitId = run.spec.splitId;
  if (!split) return { state: 'absent', reason: msg('pinAbsent', { split: splitId }) };
  if (run.splitSha256 === undefined) return { state: 'unpinned' };
  if (run.splitSha256 === null)
    return {
      state: 'unknown',
      reason: msg('pinUnknown', { split: splitId }),
    };
  if (run.splitSha256 === split.sha256) return { state: 'current' };
  return {
    state: 'stale',
    reason: msg('pinStale', {
      split: splitId,
      then: short(run.splitSha256),
      now: short(split.sha256),
    }),
  };
}

function short(sha: string): string {
  return sha.slice(0, 12);
}
