/**
 * What a person does during a sitting, as pure steps from one stored sitting to the next (the
 * page stores each at once): start with a timing choice, choose letters (one, or several on a
 * multi-answer question), flag, move, finish. Time on a question is counted while it is shown
 * and added to it whenever the person answers, flags, moves or finishes.
 */
import type { SittingAnswer, SittingRecord } from '../db/database';
import type { EvalQuestion } from '../eval/types';
import { deadlineOf, extended, type TimingChoice } from './timing';

export function newSitting(input: {
  id: string;
  examId: string;
  attempt: number;
  limitMs: number | null;
  now: Date;
}): SittingRecord {
  return {
    id: input.id,
    examId: input.examId,
    attempt: input.attempt,
    status: 'ready',
    name: '',
    createdAt: input.now.toISOString(),
    startedAt: null,
    finishedAt: null,
    submittedBy: null,
    current: 0,
    timing: { limitMs: input.limitMs, factor: 1, extensions: 0, startedAt: null },
    answers: {},
  };
}

export function started(
  s: SittingRecord,
  choice: TimingChoice['factor'],
  now: number,
): SittingRecord {
  if (s.status !== 'ready' || s.startedAt !== null) return s;
  return {
    ...s,
    startedAt: new Date(now).toISOString(),
    timing: { ...s.timing, factor: s.timing.limitMs === null ? 1 : choice, startedAt: now },
  };
}

function entry(s: SittingRecord, qid: string): SittingAnswer {
  return s.answers[qid] ?? { answer: '', flagged: false, ms: 0, at: null };
}

/** Add the time the current question has been shown. */
export function withTime(s: SittingRecord, q: EvalQuestion, ms: number): SittingRecord {
  if (ms <= 0 || s.status === 'finished') return s;
  const e = entry(s, q.id);
  return { ...s, answers: { ...s.answers, [q.id]: { ...e, ms: e.ms + ms } } };
}

/**
 * A letter pressed or clicked: on a single-answer question it is the answer (pressed again, it is
 * taken back); on a multi-answer question it is added to or taken out of the set.
 */
export function withLetter(
  s: SittingRecord,
  q: EvalQuestion,
  letter: string,
  now: number,
): SittingRecord {
  if (s.status === 'finished' || s.startedAt === null) return s;
  if (!q.options.some((o) => o.key === letter)) return s;
  const e = entry(s, q.id);
  let answer: string;
  if (q.multi) {
    const set = new Set(e.answer);
    if (set.has(letter)) set.delete(letter);
    else set.add(letter);
    answer = [...set].sort().join('');
  } else answer = e.answer === letter ? '' : letter;
  return {
    ...s,
    status: 'sitting',
    answers: {
      ...s.answers,
      [q.id]: { ...e, answer, at: answer ? new Date(now).toISOString() : null },
    },
  };
}

export function withFlag(s: SittingRecord, q: EvalQuestion): SittingRecord {
  if (s.status === 'finished' || s.startedAt === null) return s;
  const e = entry(s, q.id);
  return { ...s, answers: { ...s.answers, [q.id]: { ...e, flagged: !e.flagged } } };
}

export function movedTo(s: SittingRecord, index: number, count: number): SittingRecord {
  const current = Math.max(0, Math.min(count - 1, index));
  return current === s.current ? s : { ...s, current };
}

export function finished(s: SittingRecord, by: 'student' | 'time', now: number): SittingRecord {
  if (s.status === 'finished') return s;
  // A sitting ended by its clock ends at its deadline, whenever the page noticed.
  const deadline = deadlineOf(s.timing);
  const at = by === 'time' && deadline !== null ? Math.min(now, deadline) : now;
  return { ...s, status: 'finished', finishedAt: new Date(at).toISOString(), submittedBy: by };
}

export function withExtension(s: SittingRecord): SittingRecord {
  return s.status === 'finished' ? s : { ...s, timing: extended(s.timing) };
}

export function answeredCount(s: SittingRecord, questions: readonly EvalQuestion[]): number {
  return questions.filter((q) => (s.answers[q.id]?.answer ?? '') !== '').length;
}

/** The hook's status: `ready` until the first answer, then `sitting`, then `finished`. */
export function statusOf(
  s: SittingRecord,
  questions: readonly EvalQuestion[],
): 'ready' | 'sitting' | 'finished' {
  if (s.status === 'finished') return 'finished';
  return answeredCount(s, questions) > 0 ? 'sitting' : 'ready';
}
