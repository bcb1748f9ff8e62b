/**
 * People beside a model on the same questions. Pure. Definitions (ours, stated here):
 * - pairs: for one person, (person, model) per question; for a class, every (student, question)
 *   pair against the model's answer to that question;
 * - both / person only / model only / neither: pairs by who was right;
 * - agreement: the share of pairs where both were right or both wrong; Cohen's kappa on that
 *   right/wrong table, κ = (p_o − p_e) / (1 − p_e) with p_e = p_P·p_M + (1 − p_P)(1 − p_M)
 *   (p_P, p_M the shares right); null when p_e = 1 (both always right, or always wrong);
 * - McNemar's exact test for one person against one model (two-sided, on person-only vs
 *   model-only); not for a class, whose pairs are not independent;
 * - accuracy with Wilson intervals over the pairs, and per annotation value.
 */
import { mcnemarExact, wilson } from '../scoring/numeric';

export interface PairedAnswer {
  questionId: string;
  personRight: boolean;
  modelRight: boolean;
  annotations: Record<string, string>;
}

export interface SideBySide {
  n: number;
  person: { correct: number; accuracy: number; ciLow: number; ciHigh: number };
  model: { correct: number; accuracy: number; ciLow: number; ciHigh: number };
}

export interface PersonModelComparison extends SideBySide {
  both: number;
  personOnly: number;
  modelOnly: number;
  neither: number;
  agreement: number;
  kappa: number | null;
  /** Only for one person. */
  mcnemarP: number | null;
  annotations: Record<string, Record<string, SideBySide>>;
}

export function cohenKappa(
  both: number,
  personOnly: number,
  modelOnly: number,
  neither: number,
): number | null {
  const n = both + personOnly + modelOnly + neither;
  if (n === 0) return null;
  const po = (both + neither) / n;
  const pP = (both + personOnly) / n;
  const pM = (both + modelOnly) / n;
  const pe = pP * pM + (1 - pP) * (1 - pM);
  return pe === 1 ? null : (po - pe) / (1 - pe);
}

function sideBySide(pairs: readonly PairedAnswer[]): SideBySide {
  const n = pairs.length;
  const p = pairs.filter((x) => x.personRight).length;
  const m = pairs.filter((x) => x.modelRight).length;
  const pc = wilson(p, n);
  const mc = wilson(m, n);
  return {
    n,
    person: { correct: p, accuracy: n ? p / n : 0, ciLow: pc.low, ciHigh: pc.high },
    model: { correct: m, accuracy: n ? m / n : 0, ciLow: mc.low, ciHigh: mc.high },
  };
}

export function comparePersonModel(
  pairs: readonly PairedAnswer[],
  onePerson: boolean,
): PersonModelComparison {
  let both = 0;
  let personOnly = 0;
  let modelOnly = 0;
  let neither = 0;
  for (const x of pairs) {
    if (x.personRight && x.modelRight) both++;
    else if (x.personRight) personOnly++;
    else if (x.modelRight) modelOnly++;
    else neither++;
  }
  const groups = new Map<string, Map<string, PairedAnswer[]>>();
  for (const x of pairs) {
    for (const [column, value] of Object.entries(x.annotations)) {
      if (value.trim() === '') continue;
      const byValue = groups.get(column) ?? new Map();
      byValue.set(value, [...(byValue.get(value) ?? []), x]);
      groups.set(column, byValue);
    }
  }
  const annotations: PersonModelComparison['annotations'] = {};
  for (const [column, byValue] of groups) {
    annotations[column] = {};
    for (const value of [...byValue.keys()].sort())
      annotations[column][value] = sideBySide(byValue.get(value)!);
  }
  const n = pairs.length;
  return {
    ...sideBySide(pairs),
    both,
    personOnly,
    modelOnly,
    neither,
    agreement: n ? (both + neither) / n : 0,
    kappa: cohenKappa(both, personOnly, modelOnly, neither),
    mcnemarP: onePerson ? mcnemarExact(personOnly, modelOnly) : null,
    annotations,
  };
}
