/**
 * A run's totals over its stored answers, and the progress shown from them. The one place that
 * says what counts: an engine error is not an answer (it is counted apart and asked again on
 * resume), and a rate is averaged only over the calls that have one.
 */
import type { AnswerRecord, RunRecord, RunTotals } from '../db/database';

export interface RunProgress {
  runId: string;
  status: RunRecord['status'];
  done: number;
  total: number;
  correct: number;
  parsed: number;
  errors: number;
  skipped: number;
  activeMs: number;
  questionsPerMinute: number | null;
  etaMs: number | null;
  prefillTps: number | null;
  decodeTps: number | null;
}

/** How a drive ended: `locked` when another tab drives the run. */
export type DriveOutcome = 'done' | 'paused' | 'cancelled' | 'locked' | 'error';

export function emptyTotals(): RunTotals {
  return {
    done: 0,
    correct: 0,
    parsed: 0,
    errors: 0,
    promptTokens: 0,
    completionTokens: 0,
    prefillTpsSum: 0,
    rateSamples: 0,
    decodeTpsSum: 0,
    decodeSamples: 0,
    latencyMsSum: 0,
  };
}

/** A run's totals over its stored answers (one per question: the latest). */
export function totalsOf(answers: readonly AnswerRecord[]): RunTotals {
  const t = emptyTotals();
  for (const a of answers) addToTotals(t, a);
  return t;
}

export function addToTotals(t: RunTotals, a: AnswerRecord): void {
  if (a.status === 'error') {
    t.errors++;
    return;
  }
  t.done++;
  if (a.correct) t.correct++;
  if (a.status === 'parsed') t.parsed++;
  t.promptTokens += a.promptTokens;
  t.completionTokens += a.completionTokens;
  t.latencyMsSum += a.latencyMs;
  for (const c of a.calls) {
    const prefill = c.timings?.prefillTokensPerSecond;
    if (prefill && prefill > 0) {
      t.prefillTpsSum += prefill;
      t.rateSamples++;
    }
    // A one-token call (a `choice` letter) has no decode phase to measure.
    const decode = c.timings?.decodeTokensPerSecond;
    if (c.completionTokens > 1 && decode && decode > 0) {
      t.decodeTpsSum += decode;
      t.decodeSamples = (t.decodeSamples ?? 0) + 1;
    }
  }
}

/** Take an answer out again (it is being replaced by a new try of the same question). */
export function removeFromTotals(t: RunTotals, a: AnswerRecord): void {
  const back = emptyTotals();
  addToTotals(back, a);
  t.done -= back.done;
  t.correct -= back.correct;
  t.parsed -= back.parsed;
  t.errors -= back.errors;
  t.promptTokens -= back.promptTokens;
  t.completionTokens -= back.completionTokens;
  t.latencyMsSum -= back.latencyMsSum;
  t.prefillTpsSum -= back.prefillTpsSum;
  t.rateSamples -= back.rateSamples;
  t.decodeTpsSum -= back.decodeTpsSum;
  t.decodeSamples = (t.decodeSamples ?? 0) - (back.decodeSamples ?? 0);
}

/** Mean prefill and decode rates (tokens/s); null when no call reported one. */
export function ratesOf(t: RunTotals): { prefillTps: number | null; decodeTps: number | null } {
  // Records written before decodeSamples existed averaged decode over every call, zeros too.
  const decodeSamples = t.decodeSamples ?? t.rateSamples;
  return {
    prefillTps: t.rateSamples ? t.prefillTpsSum / t.rateSamples : null,
    decodeTps: decodeSamples ? t.decodeTpsSum / decodeSamples : null,
  };
}

export function progressOf(run: RunRecord): RunProgress {
  const t = run.totals;
  const total = run.total;
  const perQuestion = t.done > 0 ? run.activeMs / t.done : null;
  return {
    runId: run.id,
    status: run.status,
    done: t.done,
    total,
    correct: t.correct,
    parsed: t.parsed,
    errors: t.errors,
    skipped: run.skipped,
    activeMs: run.activeMs,
    questionsPerMinute: perQuestion ? 60_000 / perQuestion : null,
    etaMs: perQuestion !== null ? perQuestion * Math.max(0, total - t.done) : null,
    ...ratesOf(t),
  };
}
