/**
 * Answer metrics: exact-match accuracy and scikit-learn's weighted precision/recall/F1 over
 * answer strings used as class labels.
 *
 * `precision_recall_fscore_support(y_true, y_pred, average='weighted')` as CMExam called it in
 * 2023 (scikit-learn ≤ 1.3; both `evaluate_lora_result.py` and `evaluate_gpt_result.py`):
 * - Labels are the sorted union of gold and predicted strings (`unique_labels`); a
 *   multi-answer string such as `ABD` is one label of its own, not three letters.
 * - Per label: tp, pred_sum (times predicted), true_sum (gold support). Precision = tp/pred_sum
 *   and recall = tp/true_sum, with 0 where the denominator is 0 (default `zero_division="warn"`
 *   acts as 0). F = (1 + β²)·P·R / (β²·P + R) with β = 1 and a zero denominator replaced by 1,
 *   so P = R = 0 gives F = 0. (scikit-learn 1.4 rewrote F as 2·tp/(true_sum + pred_sum): the
 *   same value, up to the last bit.)
 * - Weighted average: weights are the gold supports. A label that occurs only in the
 *   predictions (the unparsed marker, a letter set no question has) has tp = 0, recall 0/0 → 0,
 *   F 0 and weight 0: it adds 0, while the questions predicted with it still count as misses
 *   in the recall of their own gold labels. A gold label never predicted has precision
 *   0/0 → 0 and F 0, weighted by its support.
 *   `np.average` = Σ(value·weight) (numpy pairwise sum over labels in sorted order) / Σ weight.
 *   All supports 0 (no rows): 0.
 * - Weighted recall equals accuracy over the same rows.
 */
import { npSum } from './numeric';

/** Python's `sorted()` order for strings: by code point, not by UTF-16 unit. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = (x.value as string).codePointAt(0) as number;
    const cy = (y.value as string).codePointAt(0) as number;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

/** Fraction of positions where the prediction string equals the gold string (0 for none). */
export function accuracy(golds: readonly string[], preds: readonly string[]): number {
  const n = Math.min(golds.length, preds.length);
  if (n === 0) return 0;
  let correct = 0;
  for (let i = 0; i < n; i++) if (golds[i] === preds[i]) correct++;
  return correct / n;
}

export interface WeightedPrf {
  precision: number;
  recall: number;
  fscore: number;
  /** Per-label detail, labels in sorted order. */
  labels: { label: string; tp: number; pred: number; support: number; f: number }[];
}

/** scikit-learn `precision_recall_fscore_support(golds, preds, average='weighted')`. */
export function precisionRecallFscoreWeighted(
  golds: readonly string[],
  preds: readonly string[],
): WeightedPrf {
  const n = Math.min(golds.length, preds.length);
  const tp = new Map<string, number>();
  const predSum = new Map<string, number>();
  const trueSum = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const g = golds[i];
    const p = preds[i];
    trueSum.set(g, (trueSum.get(g) ?? 0) + 1);
    predSum.set(p, (predSum.get(p) ?? 0) + 1);
    if (g === p) tp.set(g, (tp.get(g) ?? 0) + 1);
  }
  const labels = [...new Set<string>([...trueSum.keys(), ...predSum.keys()])].sort(
    compareCodePoints,
  );
  const k = labels.length;
  const pw = new Float64Array(k);
  const rw = new Float64Array(k);
  const fw = new Float64Array(k);
  let weightTotal = 0;
  const detail: WeightedPrf['labels'] = [];
  for (let i = 0; i < k; i++) {
    const label = labels[i];
    const t = tp.get(label) ?? 0;
    const ps = predSum.get(label) ?? 0;
    const ts = trueSum.get(label) ?? 0;
    const precision = ps === 0 ? 0 : t / ps;
    const recall = ts === 0 ? 0 : t / ts;
    const beta2 = 1;
    let denom = beta2 * precision + recall;
    if (denom === 0) denom = 1;
    const f = ((1 + beta2) * precision * recall) / denom;
    pw[i] = precision * ts;
    rw[i] = recall * ts;
    fw[i] = f * ts;
    weightTotal += ts;
    detail.push({ label, tp: t, pred: ps, support: ts, f });
  }
  if (weightTotal === 0) return { precision: 0, recall: 0, fscore: 0, labels: detail };
  return {
    precision: npSum(pw) / weightTotal,
    recall: npSum(rw) / weightTotal,
    fscore: npSum(fw) / weightTotal,
    labels: detail,
  };
}

/** The weighted F1 alone. */
export function weightedF1(golds: readonly string[], preds: readonly string[]): number {
  return precisionRecallFscoreWeighted(golds, preds).fscore;
}
