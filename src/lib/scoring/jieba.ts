/**
 * Chinese word segmentation identical to Python jieba 0.42 `jieba.lcut(text, cut_all=False)`
 * (HMM on), which CMExam's evaluate_gpt_result.py feeds to BLEU.
 *
 * The dictionary route and the HMM come from jieba-rs (npm `jieba-wasm`, its `web` build in both
 * Node and the browser). jieba-rs differs from Python jieba in a few places; this module corrects
 * them (details and measurements: docs/jieba-notes.md):
 *
 * 1. Characters outside Python's Han range. Both cut runs of `[Han a-zA-Z0-9+#&._%-]` and make every
 *    other character a token of its own ("\r\n" stays one), but Python's Han is U+4E00-U+9FD5 while
 *    jieba-rs adds CJK extension A/B-F, U+9FD6-U+9FFF and compatibility ideographs: `1㐀2` stayed
 *    one token (Python: `1` `㐀` `2`). We cut the text around such characters (and around lone
 *    surrogates, which would reach the wasm as U+FFFD) and make each one a token.
 * 2. Numbers and Latin letters inside an HMM segment. Python splits them with
 *    `([a-zA-Z0-9]+(?:\.\d+)?%?)`; jieba-rs has `(?:.\d+)` with an unescaped dot, so `1-2`, `3+5`,
 *    `50-60%`, `IL-4` stayed whole and `K+3.5` became `K+3` `.` `5` (Python: `1` `-` `2`, ...,
 *    `K` `+` `3.5`). We rejoin each run of such tokens and split it again with Python's pattern.
 *
 * Known, not corrected: jieba-rs stores the HMM emission log-probabilities rounded to 6 decimals,
 * so an exact near-tie in the Viterbi path (about 1 explanation in 3,400) can resolve differently.
 */
import initWasm, { cut as wasmCut } from 'jieba-wasm/web';

/** Segments like Python jieba 0.42 `lcut(text, cut_all=False)`. */
export type JiebaCut = (text: string) => string[];

/**
 * Characters that Python makes tokens of their own but jieba-rs does not: those jieba-rs counts as
 * Han and Python does not (CJK extension A, U+9FD6-U+9FFF, compatibility ideographs,
 * supplementary planes), which also end a run in Python; and lone surrogates, which would reach
 * the wasm as U+FFFD. The text is cut around them.
 */
const OWN_TOKEN = /([\u3400-\u4DBF\u9FD6-\u9FFF\uF900-\uFAFF\uD800-\uDFFF]|[\u{20000}-\u{2FA1F}])/u;
/** A token that jieba-rs may have taken from an HMM segment's non-Han part. */
const NON_HAN_TOKEN = /^[a-zA-Z0-9+#&._%-]+$/;
/** Python's finalseg `re_skip`: how an HMM segment's non-Han part is split. */
const FINALSEG_SKIP = /([a-zA-Z0-9]+(?:\.\d+)?%?)/;
/** Dictionary words (dict.txt) made only of NON_HAN_TOKEN characters: kept whole, as in Python. */
const NON_HAN_DICT_WORDS = new Set(['AT&T', 'c#', 'C#', 'c++', 'C++']);

/**
 * jieba-rs with the HMM, then Python's split of numbers and Latin letters: each run of tokens
 * made of `[a-zA-Z0-9+#&._%-]` is one HMM segment's non-Han part (Han tokens, other characters
 * and dictionary words end it), joined and split again with Python's pattern.
 */
function cutPiece(piece: string, out: string[]): void {
  let pending = '';
  const flush = () => {
    if (pending === '') return;
    for (const part of pending.split(FINALSEG_SKIP)) if (part !== '') out.push(part);
    pending = '';
  };
  for (const token of wasmCut(piece, true)) {
    if (NON_HAN_TOKEN.test(token) && !NON_HAN_DICT_WORDS.has(token)) {
      pending += token;
    } else {
      flush();
      out.push(token);
    }
  }
  flush();
}

/** Python jieba 0.42 `lcut(text, cut_all=False)`; needs the wasm loaded (`loadJieba`). */
function cut(text: string): string[] {
  const out: string[] = [];
  if (!OWN_TOKEN.test(text)) {
    cutPiece(text, out);
    return out;
  }
  // split() with a capture group: pieces at even indices, the characters at odd ones.
  text.split(OWN_TOKEN).forEach((part, i) => {
    if (i % 2 === 1) out.push(part);
    else if (part !== '') cutPiece(part, out);
  });
  return out;
}

/** The parts of Node's API used here, typed locally: the app's tsconfig has no Node types. */
interface NodeLike {
  versions: { node?: string };
  getBuiltinModule(id: 'node:fs'): { readFileSync(path: string): Uint8Array<ArrayBuffer> };
  getBuiltinModule(id: 'node:module'): {
    createRequire(from: string): { resolve(id: string): string };
  };
}

/** Node (vitest, tsx): `process` exists. Browsers and Web Workers have none. */
function nodeProcess(): NodeLike | null {
  const proc = (globalThis as { process?: NodeLike }).process;
  return typeof proc?.versions?.node === 'string' ? proc : null;
}

async function wasmSource(): Promise<BufferSource | string> {
  const node = nodeProcess();
  if (node) {
    // The package's own file next to the `jieba-wasm/web` entry; nothing is fetched.
    const entry = node
      .getBuiltinModule('node:module')
      .createRequire(import.meta.url)
      .resolve('jieba-wasm/web');
    return node
      .getBuiltinModule('node:fs')
      .readFileSync(entry.replace(/[^/\\]+$/, 'jieba_rs_wasm_bg.wasm'));
  }
  // Vite emits the wasm as an asset of this app and gives its same-origin URL. A relative path:
  // the package's `exports` do not list the file, so `jieba-wasm/pkg/...` does not resolve.
  return (await import('../../../node_modules/jieba-wasm/pkg/web/jieba_rs_wasm_bg.wasm?url'))
    .default;
}

let loading: Promise<JiebaCut> | null = null;

/** Loads the wasm once; safe to call repeatedly. In Node reads from node_modules, in the browser fetches the Vite-bundled asset (same origin, no CDN). */
export function loadJieba(): Promise<JiebaCut> {
  loading ??= wasmSource()
    .then((source) => initWasm({ module_or_path: source }))
    .then((): JiebaCut => {
      wasmCut('病', true); // jieba-rs builds its dictionary on first use (~0.5 s): do it now
      return cut;
    })
    .catch((err: unknown) => {
      loading = null; // let a later call try again
      throw err;
    });
  return loading;
}
