/**
 * Time limits that follow WCAG 2.2 success criterion 2.2.1 "Timing adjustable": before starting,
 * the student may turn the limit off or extend it up to ten times its length; during the
 * sitting, a warning comes before the end, with at least 20 seconds to extend it by one simple
 * action, which can be repeated at least ten times; at the end the sitting is submitted as it
 * stands. All times are epoch milliseconds from one clock, stored with the sitting, so a reload
 * keeps the same deadline (the clock does not stop while the tab is closed, as in a real exam).
 */

/** What a student may choose before starting: 1× … 10× the limit, or no limit. */
export const LIMIT_FACTORS = [1, 1.5, 2, 3, 5, 10] as const;
/** Each extension during the sitting adds the (chosen) limit once more; at most this often. */
export const MAX_EXTENSIONS = 10;
/** The warning comes at 20% of the limit left, but never later than 20 s nor earlier than 5 min. */
export const MIN_WARNING_MS = 20_000;
export const MAX_WARNING_MS = 5 * 60_000;

export interface TimingChoice {
  /** The exam's limit in ms; null when the exam has none. */
  limitMs: number | null;
  /** The student's choice before starting: a factor, or `off`. */
  factor: number | 'off';
}

export interface SittingTiming {
  limitMs: number | null;
  factor: number | 'off';
  /** Extensions taken during the sitting. */
  extensions: number;
  startedAt: number | null;
}

/** The limit in force, after the student's choice and extensions; null: none. */
export function effectiveLimitMs(t: SittingTiming): number | null {
  if (t.limitMs === null || t.factor === 'off') return null;
  return t.limitMs * t.factor * (1 + t.extensions);
}

export function deadlineOf(t: SittingTiming): number | null {
  const limit = effectiveLimitMs(t);
  return limit === null || t.startedAt === null ? null : t.startedAt + limit;
}

/** Milliseconds left (never below 0); null without a limit or before the start. */
export function remainingMs(t: SittingTiming, now: number): number | null {
  const deadline = deadlineOf(t);
  return deadline === null ? null : Math.max(0, deadline - now);
}

/** How long before the end the warning comes. */
export function warningLeadMs(t: SittingTiming): number | null {
  if (t.limitMs === null || t.factor === 'off') return null;
  const chosen = t.limitMs * t.factor;
  return Math.min(MAX_WARNING_MS, Math.max(MIN_WARNING_MS, chosen * 0.2));
}

export type TimingState =
  | { state: 'none' }
  | { state: 'running'; remainingMs: number }
  | { state: 'warning'; remainingMs: number; canExtend: boolean }
  | { state: 'over' };

export function timingState(t: SittingTiming, now: number): TimingState {
  const left = remainingMs(t, now);
  if (left === null) return { state: 'none' };
  if (left <= 0) return { state: 'over' };
  const lead = warningLeadMs(t)!;
  if (left <= lead)
    return { state: 'warning', remainingMs: left, canExtend: t.extensions < MAX_EXTENSIONS };
  return { state: 'running', remainingMs: left };
}

/** One more extension, if any is left. */
export function extended(t: SittingTiming): SittingTiming {
  return t.extensions < MAX_EXTENSIONS ? { ...t, extensions: t.extensions + 1 } : t;
}
