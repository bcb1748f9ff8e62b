/**
 * A class: the sitting files a teacher was handed, checked and summed up. Pure.
 *
 * Statistics (definitions ours, stated here):
 * - a student's score is correct / questions of the exam (unanswered = wrong);
 * - the mean score with a 95% Student-t interval, mean ± t(0.975, n−1)·s/√n (s the sample
 *   standard deviation), clipped to [0, 1]; none for a single student;
 * - the median with a distribution-free 95% interval from order statistics: the l-th smallest
 *   and l-th largest scores, l the largest rank with P(Bin(n, ½) ≤ l − 1) ≤ 0.025; none below
 *   6 students, where no such interval reaches 95%;
 * - the distribution in ten bins [0, 10%), …, [90%, 100%] (the last closed);
 * - per question: the share of students right, the hardest first;
 * - per annotation value: every student's answers to questions with that value, pooled, with a
 *   Wilson interval.
 */
import type { EvalQuestion } from '../eval/types';
import { wilson } from '../scoring/numeric';
import { parseSittingFile, type SittingFile } from './files';
import { median } from './grading';
import { english, errorText, msg, type Message, type Text } from '../i18n/translate';

export interface StudentRow {
  sittingId: string;
  name: string;
  attempt: number;
  correct: number;
  total: number;
  unanswered: number;
  accuracy: number;
  ms: number;
}

export interface QuestionRow {
  questionId: string;
  row: number;
  correct: number;
  n: number;
  rate: number;
}

export interface AnnotationCell {
  n: number;
  correct: number;
  accuracy: number;
  ciLow: number;
  ciHigh: number;
}

export interface ClassResult {
  examId: string;
  students: number;
  mean: number;
  meanCi: { low: number; high: number } | null;
  median: number;
  medianCi: { low: number; high: number } | null;
  sd: number;
  /** Ten bins of 10 percentage points: label → students. */
  distribution: { label: string; count: number }[];
  questions: QuestionRow[];
  annotations: Record<string, Record<string, AnnotationCell>>;
  table: StudentRow[];
}

/** Two-sided 95% Student-t quantiles t(0.975, df) for df = 1 … 30. */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];
/** Beyond 30: the value at the largest tabulated df not above it (so the interval is never too narrow). */
const T95_BEYOND: [number, number][] = [
  [120, 1.98],
  [60, 2.0],
  [40, 2.021],
  [30, 2.042],
];

export function tQuantile95(df: number): number {
  if (df < 1) throw new Error('t needs at least one degree of freedom');
  if (df <= 30) return T95[df - 1];
  for (const [at, t] of T95_BEYOND) if (df >= at) return df > 1000 ? 1.96 : t;
  return 2.042;
}

/** The rank l of the order-statistics 95% interval of a median, or null when n is too small. */
export function medianRank(n: number): number | null {
  // P(Bin(n, 1/2) ≤ j), summed exactly in binomial coefficients over 2^n.
  let best: number | null = null;
  let cdf = 0;
  let coefficient = 1; // C(n, 0)
  const total = 2 ** n;
  for (let j = 0; j < n; j++) {
    cdf += coefficient / total;
    coefficient = (coefficient * (n - j)) / (j + 1);
    // P(X ≤ l − 1) ≤ 0.025 with l = j + 1.
    if (cdf <= 0.025) best = j + 1;
    else break;
  }
  return best;
}

export function summarise(values: readonly number[]): {
  mean: number;
  sd: number;
  meanCi: { low: number; high: number } | null;
  median: number;
  medianCi: { low: number; high: number } | null;
} {
  const n = values.length;
  const mean = n ? values.reduce((s, v) => s + v, 0) / n : 0;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  const half = n > 1 ? (tQuantile95(n - 1) * sd) / Math.sqrt(n) : null;
  const sorted = [...values].sort((a, b) => a - b);
  const l = medianRank(n);
  return {
    mean,
    sd,
    meanCi:
      half === null ? null : { low: Math.max(0, mean - half), high: Math.min(1, mean + half) },
    median: median(sorted),
    medianCi: l === null ? null : { low: sorted[l - 1], high: sorted[n - l] },
  };
}

/**
 * Sum up a class. `questions` (the exam's, when this device has them) give the annotations;
 * without them the per-annotation table is empty.
 */
export function classResults(
  examId: string,
  sittings: readonly SittingFile[],
  questions: readonly EvalQuestion[] | null,
): ClassResult {
  const table: StudentRow[] = sittings.map((s) => {
    const correct = s.records.filter((r) => r.correct).length;
    return {
      sittingId: s.sitting_id,
      name: s.name,
      attempt: s.attempt,
      correct,
      total: s.records.length,
      unanswered: s.records.filter((r) => r.answer === '').length,
      accuracy: s.records.length ? correct / s.records.length : 0,
      ms: s.records.reduce((t, r) => t + r.ms, 0),
    };
  });
  const stats = summarise(table.map((r) => r.accuracy));
  const distribution = Array.from({ length: 10 }, (_, i) => ({
    label: `${i * 10}–${i === 9 ? 100 : (i + 1) * 10}%`,
    count: 0,
  }));
  for (const r of table) distribution[Math.min(9, Math.floor(r.accuracy * 10 + 1e-9))].count++;

  const byQuestion = new Map<string, QuestionRow>();
  for (const s of sittings) {
    for (const r of s.records) {
      const q = byQuestion.get(r.question_id) ?? {
        questionId: r.question_id,
        row: r.row,
        correct: 0,
        n: 0,
        rate: 0,
      };
      q.n++;
      if (r.correct) q.correct++;
      byQuestion.set(r.question_id, q);
    }
  }
  const questionRows = [...byQuestion.values()].map((q) => ({ ...q, rate: q.correct / q.n }));
  questionRows.sort((a, b) => a.rate - b.rate || a.row - b.row);

  const annotations: ClassResult['annotations'] = {};
  if (questions) {
    const facts = new Map(questions.map((q) => [q.id, q.annotations]));
    const cells = new Map<string, Map<string, { n: number; correct: number }>>();
    for (const s of sittings) {
      for (const r of s.records) {
        for (const [column, value] of Object.entries(facts.get(r.question_id) ?? {})) {
          if (value.trim() === '') continue;
          const byValue = cells.get(column) ?? new Map();
          const cell = byValue.get(value) ?? { n: 0, correct: 0 };
          cell.n++;
          if (r.correct) cell.correct++;
          byValue.set(value, cell);
          cells.set(column, byValue);
        }
      }
    }
    for (const [column, byValue] of cells) {
      annotations[column] = {};
      for (const value of [...byValue.keys()].sort()) {
        const c = byValue.get(value)!;
        const ci = wilson(c.correct, c.n);
        annotations[column][value] = {
          n: c.n,
          correct: c.correct,
          accuracy: c.correct / c.n,
          ciLow: ci.low,
          ciHigh: ci.high,
        };
      }
    }
  }
  return {
    examId,
    students: table.length,
    ...stats,
    distribution,
    questions: questionRows,
    annotations,
    table,
  };
}

export interface HandinCheck {
  accepted: { file: SittingFile; fileName: string }[];
  /** `reason` in English; `message` the same, to translate. */
  refused: { fileName: string; reason: string; message: Text }[];
}

/**
 * Check sitting files handed in to a class: each must be a sitting file, undamaged, of the
 * class's exam (the first accepted file's, when the class is new), and not a sitting already
 * handed in (here or in the same batch).
 */
export async function checkHandins(
  files: readonly { name: string; text: string }[],
  classExamId: string | null,
  handedIn: ReadonlySet<string>,
): Promise<HandinCheck> {
  const out: HandinCheck = { accepted: [], refused: [] };
  const refuse = (fileName: string, message: Message) =>
    out.refused.push({ fileName, reason: english(message), message });
  let examId = classExamId;
  const seen = new Set(handedIn);
  for (const f of files) {
    let sitting: SittingFile;
    try {
      sitting = await parseSittingFile(f.text);
    } catch (err) {
      out.refused.push({
        fileName: f.name,
        reason: err instanceof Error ? err.message : String(err),
        message: errorText(err),
      });
      continue;
    }
    if (examId !== null && sitting.exam_id !== examId) {
      const title = sitting.spec.title;
      refuse(
        f.name,
        title
          ? msg('handinOtherExamTitled', { id: sitting.exam_id, title, classExam: examId })
          : msg('handinOtherExam', { id: sitting.exam_id, classExam: examId }),
      );
      continue;
    }
    if (seen.has(sitting.sitting_id)) {
      refuse(
        f.name,
        msg('handinAlready', {
          name: sitting.name || msg('handinNoName'),
          attempt: sitting.attempt,
        }),
      );
      continue;
    }
    examId ??= sitting.exam_id;
    seen.add(sitting.sitting_id);
    out.accepted.push({ file: sitting, fileName: f.name });
  }
  return out;
}
