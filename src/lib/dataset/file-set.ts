// Several files dropped or linked together make one split: CMMLU's subject files, or CMB's
// test questions with the answer key that ships apart. Which is which is read from each
// file's first bytes, and the questions are read in name order so that the same files give
// the same rows and hash however they were chosen.
import { DatasetError } from './errors';
import { msg } from '../i18n/translate';
import { looksLikeAnswerKey } from './formats/cmb';
import { cmmluFormat } from './formats/cmmlu';

/** Bytes of each file read to tell an answer key from questions. */
export const HEAD_BYTES = 4096;

export interface FilePlan {
  /** Index of the answer key among the files, if one was given. */
  answerKey: number | null;
  /** Indexes of the question files, in the order to read them. */
  questions: number[];
}

export function planFiles(files: readonly { name: string; head: string }[]): FilePlan {
  const keys = files.flatMap((f, i) => (looksLikeAnswerKey(f.head) ? [i] : []));
  if (keys.length > 1) {
    throw new DatasetError(
      'not-dataset',
      msg('dsManyAnswerKeys', { names: keys.map((i) => files[i].name).join(', ') }),
    );
  }
  const questions = files
    .map((f, i) => ({ name: f.name, i }))
    .filter(({ i }) => !keys.includes(i))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.i - b.i))
    .map(({ i }) => i);
  // An answer key alone is parsed as the questions file, so that its own message explains it.
  if (questions.length === 0) return { answerKey: null, questions: keys };
  return { answerKey: keys[0] ?? null, questions };
}

/** Whether a file's first line is CMMLU's header (`,Question,A,B,C,D,Answer`). */
export function looksLikeCmmlu(head: string): boolean {
  const first = head.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
  return cmmluFormat.matches(first.split(',').map((h) => h.trim()));
}

/**
 * Which files chosen together become one split: all of them when one is CMB's answer key (it
 * belongs to the questions beside it) or when every one is a CMMLU subject file; otherwise
 * each file is a split of its own, as a single file is.
 */
export function groupFiles(heads: readonly string[]): number[][] {
  const all = heads.map((_, i) => i);
  if (heads.length > 1 && (heads.some(looksLikeAnswerKey) || heads.every(looksLikeCmmlu)))
    return [all];
  return all.map((i) => [i]);
}
