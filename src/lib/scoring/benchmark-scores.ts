/**
 * Choice benchmarks scored the way their own papers report them, where that differs from
 * CMExam's protocols (which still apply to every choice split). Pure; over the same scoring
 * records, an unparsed answer counting as wrong (the papers extract an answer from every reply
 * and compare it), a multi-answer item right only on the exact letter set.
 *
 * - `cmb` (FreedomIntelligence/CMB `score.py`): accuracy per subcategory (`exam_class`) within
 *   each category (`exam_type`); a category's accuracy is the unweighted mean of its
 *   subcategories'. CMB's script has no overall figure; the paper's "Avg." is the mean of the
 *   categories, given here as `average`. (CMB compares answer strings as written; we compare
 *   letter sets, so its four keys written out of order, such as `EB`, are not marked wrong.)
 * - `cmmlu` (haonan-li/CMMLU `mp_utils.get_results`): accuracy per subject; the overall figure
 *   is the unweighted mean over subjects, not over questions.
 * - `mlec-qa` (Judenpech/MLEC-QA): accuracy over knowledge questions (KD: `qtype` A1 or B1),
 *   case-analysis questions (CA: the others) and all.
 */
import { isCorrect } from './records';
import type { ScoringRecord } from './types';
import type { BenchmarkFormat } from '../dataset/types';

export interface BenchmarkGroup {
  name: string;
  n: number;
  correct: number;
  /** 0–1: over its questions, or the mean of its `parts` where it has them. */
  accuracy: number;
  parts?: BenchmarkGroup[];
}

export interface BenchmarkScores {
  benchmark: 'cmb' | 'cmmlu' | 'mlec-qa';
  /** What `groups` are: CMB's categories, CMMLU's subjects, MLEC-QA's question kinds. */
  groupBy: string;
  groups: BenchmarkGroup[];
  /** The paper's headline figure (0–1) and how it is made. */
  overall: { label: 'categories' | 'subjects' | 'all'; accuracy: number };
}

function cell(name: string, records: readonly ScoringRecord[]): BenchmarkGroup {
  const correct = records.filter((r) => isCorrect(r)).length;
  return {
    name,
    n: records.length,
    correct,
    accuracy: records.length ? correct / records.length : 0,
  };
}

function groupBy(records: readonly ScoringRecord[], key: (r: ScoringRecord) => string) {
  const groups = new Map<string, ScoringRecord[]>();
  for (const r of records) {
    const k = key(r);
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(r);
  }
  return [...groups];
}

const mean = (values: number[]) =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;

export function benchmarkScores(
  shape: BenchmarkFormat | undefined,
  records: readonly ScoringRecord[],
): BenchmarkScores | null {
  // An engine error is not an answer (the run asks it again): left out, as a shard's gap is.
  records = records.filter((r) => r.status !== 'error');
  if (records.length === 0) return null;
  switch (shape) {
    case 'cmb': {
      const groups = groupBy(records, (r) => r.annotations.exam_type ?? '').map(([type, list]) => {
        const parts = groupBy(list, (r) => r.annotations.exam_class ?? '').map(([c, l]) =>
          cell(c, l),
        );
        const whole = cell(type, list);
        return { ...whole, accuracy: mean(parts.map((p) => p.accuracy)), parts };
      });
      return {
        benchmark: 'cmb',
        groupBy: 'exam_type / exam_class',
        groups,
        overall: { label: 'categories', accuracy: mean(groups.map((g) => g.accuracy)) },
      };
    }
    case 'cmmlu': {
      const groups = groupBy(records, (r) => r.annotations.subject ?? '').map(([s, l]) =>
        cell(s, l),
      );
      return {
        benchmark: 'cmmlu',
        groupBy: 'subject',
        groups,
        overall: { label: 'subjects', accuracy: mean(groups.map((g) => g.accuracy)) },
      };
    }
    case 'mlec-qa': {
      const kd = (r: ScoringRecord) => /A1|B1/.test(r.annotations.qtype ?? '');
      const groups = [
        cell('KD', records.filter(kd)),
        cell(
          'CA',
          records.filter((r) => !kd(r)),
        ),
      ].filter((g) => g.n > 0);
      return {
        benchmark: 'mlec-qa',
        groupBy: 'qtype',
        groups,
        overall: { label: 'all', accuracy: cell('All', records).accuracy },
      };
    }
    default:
      return null;
  }
}
