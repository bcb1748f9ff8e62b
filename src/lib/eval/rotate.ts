/**
 * Circular evaluation (CircularEval, as in OpenCompass and MMBench): a question is asked again
 * with its option texts rotated, and counts as robustly correct only when it is answered
 * correctly under every rotation.
 *
 * The letters stay where they are (A, B, C, … or whatever keys the question has, in its order);
 * the texts move: with k options and shift s, the option shown at position i carries the text of
 * original position (i + s) mod k. Shift 0 is the question itself.
 */
import type { EvalQuestion } from './types';

export interface RotatedQuestion {
  /** The question as asked: the same keys in the same order, the texts rotated. */
  question: EvalQuestion;
  /** Shown letter → original letter. */
  toOriginal: Record<string, string>;
}

/**
 * The question with its option texts rotated by `shift` (any integer; taken mod k), its gold
 * answer rewritten in the shown letters (sorted), and the map from shown back to original
 * letters. Pure: the input is not changed.
 */
export function rotateQuestion(q: EvalQuestion, shift: number): RotatedQuestion {
  const k = q.options.length;
  if (!Number.isInteger(shift)) throw new Error(`The shift must be a whole number, not ${shift}.`);
  const s = k === 0 ? 0 : ((shift % k) + k) % k;
  const toOriginal: Record<string, string> = {};
  const fromOriginal: Record<string, string> = {};
  const options = q.options.map((o, i) => {
    const source = q.options[(i + s) % k];
    toOriginal[o.key] = source.key;
    fromOriginal[source.key] = o.key;
    return { key: o.key, text: source.text };
  });
  return {
    question: { ...q, options, answer: mapLetters(q.answer, fromOriginal) },
    toOriginal,
  };
}

/**
 * Each letter of `letters` through `map`, without repeats, sorted. A character the map does not
 * know (not one of the question's keys) is kept as it is.
 */
export function mapLetters(letters: string, map: Readonly<Record<string, string>>): string {
  const out = new Set<string>();
  for (const l of letters) out.add(Object.hasOwn(map, l) ? map[l] : l);
  return [...out].sort().join('');
}
