/**
 * A merge evaluation's table (merge/evaluation.ts): a row per member (the merge, the base, each
 * fine-tune) with its accuracy under the chosen protocol, and each parent paired with the merge
 * on the questions both answered (McNemar's exact test, scoring/compare.ts). Types only; the
 * report service fills them.
 */
import type { MergeEvaluationRecord, MergedModelRecord, RunRecord } from '../db/database';

export interface MergePairing {
  n_paired: number;
  both_correct: number;
  /** Right in the merge only. */
  only_merge: number;
  /** Right in this parent only. */
  only_other: number;
  both_wrong: number;
  p_value: number;
}

export interface MergeComparisonRow {
  role: MergeEvaluationRecord['members'][number]['role'];
  ref: string;
  label: string;
  runId: string | null;
  status: RunRecord['status'] | null;
  done: number;
  total: number;
  /** 0–1; null before the run has an answer. */
  accuracy: number | null;
  /** Null for the merge itself, or while either run has no answer. */
  vsMerge: MergePairing | null;
}

export interface MergeComparison {
  evaluation: MergeEvaluationRecord;
  merged: MergedModelRecord | null;
  rows: MergeComparisonRow[];
}
