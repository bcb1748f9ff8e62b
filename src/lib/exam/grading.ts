/**
 * A sitting scored like a run, by the scoring modules: exact match of letter sets (`cmexam-char`:
 * over every question, an unanswered question counting as wrong and reported apart), Wilson 95%
 * interval, accuracy per annotation value and by difficulty; plus the time spent per question.
 */
import type { ExamRecord, SittingRecord } from '../db/database';
import type { EvalQuestion } from '../eval/types';
import { isCorrect } from '../scoring/records';
import { scoreRecords } from '../scoring/score';
import type { ScoreResult, ScoringRecord } from '../scoring/types';
import { SITTING_FORMAT, SITTING_VERSION, type SittingFile, type SittingFileRecord } from './files';

export interface SittingRow {
  question: EvalQuestion;
  /** '' when unanswered. */
  answer: string;
  correct: boolean;
  flagged: boolean;
  ms: number;
}

export interface SittingResult {
  correct: number;
  total: number;
  unanswered: number;
  accuracy: number;
  ciLow: number;
  ciHigh: number;
  score: ScoreResult;
  time: { totalMs: number; meanMs: number; medianMs: number };
  rows: SittingRow[];
}

/** The sitting's questions with what the person gave, in exam order. */
export function sittingRows(
  exam: Pick<ExamRecord, 'questions'>,
  sitting: SittingRecord,
): SittingRow[] {
  return exam.questions.map((q) => {
    const a = sitting.answers[q.id];
    const answer = a?.answer ?? '';
    return {
      question: q,
      answer,
      correct: isRight(answer, q.answer),
      flagged: a?.flagged ?? false,
      ms: a?.ms ?? 0,
    };
  });
}

/** A person's answer as the scorer sees a model's: unanswered is unparsed. */
export function scoringRecordsOf(rows: readonly SittingRow[]): ScoringRecord[] {
  return rows.map((r) => ({
    questionId: r.question.id,
    row: r.question.row,
    gold: r.question.answer,
    prediction: r.answer,
    status: r.answer ? 'parsed' : 'unparsed',
    explanation: null,
    reference: r.question.explanation,
    annotations: r.question.annotations,
    optionProbs: null,
  }));
}

export function gradeSitting(
  exam: Pick<ExamRecord, 'questions'>,
  sitting: SittingRecord,
): SittingResult {
  const rows = sittingRows(exam, sitting);
  const score = scoreRecords(scoringRecordsOf(rows), { protocol: 'cmexam-char' });
  const times = rows.map((r) => r.ms).sort((a, b) => a - b);
  const totalMs = times.reduce((s, t) => s + t, 0);
  return {
    correct: score.metrics.correct,
    total: rows.length,
    unanswered: rows.filter((r) => !r.answer).length,
    accuracy: score.metrics.accuracy,
    ciLow: score.metrics.accuracy_ci_low,
    ciHigh: score.metrics.accuracy_ci_high,
    score,
    time: {
      totalMs,
      meanMs: rows.length ? totalMs / rows.length : 0,
      medianMs: median(times),
    },
    rows,
  };
}

/** The file a student hands in. */
export function sittingFileOf(
  exam: Pick<ExamRecord, 'id' | 'spec' | 'splitSha256' | 'questions'>,
  sitting: SittingRecord,
  generator: string,
): SittingFile {
  const records: SittingFileRecord[] = sittingRows(exam, sitting).map((r) => ({
    question_id: r.question.id,
    row: r.question.row,
    gold: r.question.answer,
    answer: r.answer,
    correct: r.correct,
    flagged: r.flagged,
    ms: Math.round(r.ms),
  }));
  return {
    format: SITTING_FORMAT,
    version: SITTING_VERSION,
    sitting_id: sitting.id,
    exam_id: exam.id,
    spec: exam.spec,
    split_sha256: exam.splitSha256,
    name: sitting.name.trim(),
    attempt: sitting.attempt,
    started_at: sitting.startedAt,
    finished_at: sitting.finishedAt,
    submitted_by: sitting.submittedBy,
    generator,
    records,
  };
}

/** Exact match of letter sets: the scoring modules' one rule (scoring/records.ts), as for models. */
export function isRight(answer: string, gold: string): boolean {
  return isCorrect({ status: answer ? 'parsed' : 'unparsed', prediction: answer, gold });
}

export function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
