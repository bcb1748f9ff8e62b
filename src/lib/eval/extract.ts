/**
 * Answer and explanation extraction for the `generate` method: the model writes free text in
 * CMExam's format (`答案：…` then `解释：…`) and we read the chosen option letters back out.
 *
 * Two rules:
 * - `layered` (default): five small layers tried in order, each anchored to a context that states
 *   an answer, so a Latin letter inside ordinary words (`DNA`, `B超`, `维生素B`) never counts.
 * - `cmexam`: CMExam's own rule, reproduced so scores compare with the paper (see cmexamAnswer).
 */
import type { EvalQuestion, ExtractionOutcome, ExtractionRule } from './types';

type Question = Pick<EvalQuestion, 'options'>;
type OptionList = Question['options'];

/** What one layer concludes: letters, a decisive rejection (ends the search), or no opinion. */
type LayerResult = { letters: string[] } | 'rejected' | null;

interface Context {
  /** The reply, normalised (see normalise). */
  text: string;
  options: OptionList;
  /** The question's own option letters. */
  keys: ReadonlySet<string>;
  /**
   * Letters that look like option letters: A to the last of E and the question's keys. A letter
   * set that uses one of them but is not an option (`答案：E` for A–D) is an answer the layer
   * rejects; any other capital (`N` of `DNA`) means the run is a word, not a letter set.
   */
  plausible: ReadonlySet<string>;
}

const UNPARSED: ExtractionOutcome = { status: 'unparsed', answer: '', rule: null };

export function extractAnswer(
  text: string,
  question: Question,
  rule: ExtractionRule = 'layered',
): ExtractionOutcome {
  const found = rule === 'cmexam' ? cmexamAnswer(text, question.options) : layered(text, question);
  if (!found) return UNPARSED;
  return { status: 'parsed', answer: found.answer, rule: found.rule };
}

// ---------------------------------------------------------------------------------------------
// Layered rule

type Layer = (ctx: Context) => LayerResult;

/** The order is the rule: the most explicit statement of an answer wins. */
const LAYERS: readonly (readonly [string, Layer])[] = [
  ['answer-field', explicitAnswerField],
  ['conclusion', chineseConclusion],
  ['letters-only', lettersOnlyReply],
  ['leading-letter', leadingLetter],
  ['option-text', optionTextMatch],
];

function layered(text: string, question: Question): { answer: string; rule: string } | null {
  const ctx = contextOf(text, question.options);
  for (const [name, layer] of LAYERS) {
    const result = layer(ctx);
    if (result === 'rejected') return null;
    if (result) return { answer: [...new Set(result.letters)].sort().join(''), rule: name };
  }
  return null;
}

function contextOf(text: string, options: OptionList): Context {
  const keys = new Set(options.map((o) => o.key));
  let last = 'E'.charCodeAt(0);
  for (const k of keys) if (/^[A-Z]$/.test(k)) last = Math.max(last, k.charCodeAt(0));
  const plausible = new Set<string>();
  for (let c = 'A'.charCodeAt(0); c <= last; c++) plausible.add(String.fromCharCode(c));
  return { text: normalise(text), options, keys, plausible };
}

/** Full-width ASCII (`Ａ`, `：`, `，`, `（`) and the ideographic space to ASCII; same length. */
function toHalfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E\u3000]/g, (c) =>
    c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  );
}

/** Half-width, without Markdown emphasis (`**答案：B**`, `答案：**B**`). */
function normalise(text: string): string {
  return toHalfWidth(text).replace(/[*`]/g, '');
}

/** Matches a sticky regex at `pos`; returns the matched text or null. */
function matchAt(re: RegExp, s: string, pos: number): string | null {
  re.lastIndex = pos;
  const m = re.exec(s);
  return m ? m[0] : null;
}

// --- Letter sets ------------------------------------------------------------------------------

const SET_PREFIX = /[ \t]*(?:选项|选择|选|option)?[ \t]*/iy;
const OPEN = /[ \t]*[(\[【「《"'“‘]*/y;
const CLOSE = /[)\]】」》"'”’]*/y;
const RUN = /[A-Z]+/y;
/** Between letters of a set: `A、C`, `A,C`, `A/C`, `A和C`, `A与C`, `A and C`, `A C`. */
const SEPARATOR = /(?:[ \t]*(?:[、,/&+;]|以及|和|与|及)[ \t]*|[ \t]+and[ \t]+|[ \t]+)(?:选项)?/iy;
/** A choice between letters rather than a set: `A或C`, `A或者C`, `A还是C`, `A or C`. */
const HEDGE = /(?:[ \t]*(?:或者?|还是)[ \t]*|[ \t]+or[ \t]+)(?:选项)?[(\[【]?[A-Z](?![A-Za-z0-9])/y;

/**
 * Words that continue a capital letter into a medical term: `B超`, `A型血`, `B族维生素`,
 * `A组链球菌`, `T细胞`, `B淋巴细胞`, `H2受体`, `ACE抑制剂`, `C反应蛋白`… Checked after optional
 * spaces (`B 超`), never across a line break.
 */
const TERM_CONTINUATION = new RegExp(
  String.raw`[ \t]*(?:` +
    ['超', '型', '族', '组', '群', '细胞', '淋巴', '受体', '抗原', '抗体', '蛋白', '反应', '因子']
      .concat(['肝炎', '病毒', '抑制剂', '激动剂', '拮抗剂', '阻滞剂', '链球菌'])
      .join('|') +
    ')',
  'y',
);

/**
 * Whether the capital run s[start, end) is part of a word rather than a standalone letter:
 * - next to another Latin letter or digit (`DNA`, `HbA1c`, `CD4`, `HBV`): the run would not be
 *   maximal, or it continues into lower case or digits;
 * - hyphenated into a term (`C-反应蛋白`, `B-cell`);
 * - a genus abbreviation (`E. coli`, `S. aureus`): one capital, a dot, a lower-case word;
 * - followed by a term continuation (see TERM_CONTINUATION).
 */
function isPartOfWord(s: string, start: number, end: number): boolean {
  if (start > 0 && /[A-Za-z0-9]/.test(s[start - 1])) return true;
  const next = s.slice(end, end + 3);
  if (/^[A-Za-z0-9]/.test(next)) return true;
  if (/^[-‐–][\p{L}\p{N}]/u.test(next)) return true;
  if (end - start === 1 && /^\.[ \t]?[a-z]/.test(next)) return true;
  return matchAt(TERM_CONTINUATION, s, end) !== null;
}

interface LetterSet {
  letters: string[];
  /**
   * Not an answer to score: a letter looks like an option letter but is not one of the question's
   * keys (`答案：E` for A–D), or the reply hedges between letters (`A或C`, `A or C`).
   */
  invalid: boolean;
  /** Position just after the set (and its closing bracket). */
  end: number;
}

/**
 * Reads a set of option letters at `pos` (`A`, `(C)`, `A、C`, `ABD`, `A和C`, `选项B`). Null when
 * no standalone letter starts there; a later run that is part of a word ends the set instead.
 */
function readLetterSet(s: string, pos: number, ctx: Context): LetterSet | null {
  const letters: string[] = [];
  let invalid = false;
  let end = -1;
  let p = pos + (matchAt(SET_PREFIX, s, pos) ?? '').length;
  // After `,` or `;` a letter may start a new clause about that option (`答案：A，C项错误`).
  let afterClause = false;
  for (;;) {
    const start = p + (matchAt(OPEN, s, p) ?? '').length;
    const run = matchAt(RUN, s, start);
    if (run === null) break;
    const runEnd = start + run.length;
    if (isPartOfWord(s, start, runEnd) || ![...run].every((c) => ctx.plausible.has(c))) break;
    if (
      afterClause &&
      /^\p{Script=Han}/u.test(s.slice(runEnd)) &&
      !/^[和与及、]/.test(s.slice(runEnd))
    ) {
      break;
    }
    letters.push(...run);
    if ([...run].some((c) => !ctx.keys.has(c))) invalid = true;
    end = runEnd + (matchAt(CLOSE, s, runEnd) ?? '').length;
    const sep = matchAt(SEPARATOR, s, end);
    if (sep === null) break;
    afterClause = /[,;]/.test(sep);
    p = end + sep.length;
  }
  if (!letters.length) return null;
  if (matchAt(HEDGE, s, end) !== null) invalid = true;
  return { letters, invalid, end };
}

const asResult = (set: LetterSet): LayerResult =>
  set.invalid ? 'rejected' : { letters: set.letters };

// --- Layer 1: explicit answer field ------------------------------------------------------------

/**
 * `答案：`, `答案:`, `【答案】`, `答案是`, `答案为`, `答案应为`, `正确答案是`,
 * `答案选`, a heading line `### 答案`, a line starting `答：`, `Answer:`, `the answer is`.
 * Runs on normalised text, so `：` is already `:`.
 */
const ANSWER_MARKER = new RegExp(
  [
    String.raw`【[ \t]*答案[ \t]*】|\[[ \t]*答案[ \t]*\]`,
    String.raw`答案[ \t]*(?:(?:应该?|应当)?(?:是|为|选择?)[ \t]*:?|:)`,
    String.raw`(?:^|\n)[ \t#]*(?:最终|正确)?答案[ \t]*\n[ \t]*`,
    String.raw`(?:^|\n)[ \t#]*答[ \t]*:`,
    String.raw`\banswer[ \t]*(?:(?:is|would[ \t]+be|should[ \t]+be)[ \t]*:?|:)`,
  ].join('|'),
  'gi',
);

/** The last explicit answer statement that holds a letter set (a chain of thought may revise). */
function explicitAnswerField(ctx: Context): LayerResult {
  const ends = [...ctx.text.matchAll(ANSWER_MARKER)].map((m) => m.index + m[0].length);
  for (let i = ends.length - 1; i >= 0; i--) {
    const set = readLetterSet(ctx.text, ends[i], ctx);
    if (set) return asResult(set);
  }
  return null;
}

// --- Layer 2: Chinese conclusions --------------------------------------------------------------

/** `故选A`, `故选：B`, `因此选C`, `所以应选D`, `应选E`, `本题选A`, `正确选项是B`, `I choose C`. */
const CONCLUSION_BEFORE = new RegExp(
  [
    String.raw`(?<!不)(?:故|所以|因此|因而|综上所述?|最终|本题|我会?)[ \t,]*` +
      String.raw`(?:应该?|应当|可|只能)?选择?[ \t]*:?`,
    String.raw`(?<![不故])应选择?[ \t]*:?`,
    String.raw`(?:正确|最佳|合适)的?选项(?:是|为|应为)[ \t]*:?`,
    String.raw`\b(?:choose|select|pick)[ \t]+`,
  ].join('|'),
  'gi',
);

/** `选项B正确`, `B项正确`, `A、C项均正确`, `Option C is correct` (the letters come first). */
const CONCLUSION_AFTER = [
  /选项[ \t]*([A-Z](?:[ \t]*[、,和与及][ \t]*[A-Z])*)[ \t]*(?:是|为|均|都)?正确/dg,
  /([A-Z](?:[ \t]*[、,和与及][ \t]*[A-Z])*)[ \t]*(?:选项|项)[ \t]*(?:是|为|均|都)?正确/dg,
  /\b[Oo]ption[ \t]+([A-Z])[ \t]+is[ \t]+(?:the[ \t]+)?(?:correct|right)/dg,
];

/** The last conclusion in the text, of either shape. */
function chineseConclusion(ctx: Context): LayerResult {
  const found: { at: number; read: () => LetterSet | null }[] = [];
  for (const m of ctx.text.matchAll(CONCLUSION_BEFORE)) {
    const end = m.index + m[0].length;
    found.push({ at: m.index, read: () => readLetterSet(ctx.text, end, ctx) });
  }
  for (const re of CONCLUSION_AFTER) {
    for (const m of ctx.text.matchAll(re)) {
      const span = m.indices?.[1];
      if (span) found.push({ at: m.index, read: () => lettersIn(ctx, span[0], span[1]) });
    }
  }
  found.sort((a, b) => a.at - b.at);
  for (let i = found.length - 1; i >= 0; i--) {
    const set = found[i].read();
    if (set) return asResult(set);
  }
  return null;
}

/** The letters of a span matched as `A、C`: each must stand alone and look like a letter. */
function lettersIn(ctx: Context, start: number, end: number): LetterSet | null {
  const letters: string[] = [];
  for (let i = start; i < end; i++) {
    const c = ctx.text[i];
    if (!/[A-Z]/.test(c)) continue;
    if (isPartOfWord(ctx.text, i, i + 1) || !ctx.plausible.has(c)) return null;
    letters.push(c);
  }
  return { letters, invalid: letters.some((c) => !ctx.keys.has(c)), end };
}

// --- Layer 3: a reply that is only letters -----------------------------------------------------

const ONLY_PREFIX = /(?:选项|选择|选|option)?[ \t]*:?/iy;
const ONLY_REST = /^[\s.。!?,;:、)\]】」]*$/;

/** `B`, `B。`, `(C)`, `A、D`, `选C`, `AC`. */
function lettersOnlyReply(ctx: Context): LayerResult {
  const s = ctx.text.trim();
  const set = readLetterSet(s, (matchAt(ONLY_PREFIX, s, 0) ?? '').length, ctx);
  if (!set || !ONLY_REST.test(s.slice(set.end))) return null;
  return asResult(set);
}

// --- Layer 4: a leading letter -----------------------------------------------------------------

/**
 * `C. 出血量`, `C、出血量`, `(C) 出血量`, `C：…`, `C\n…` and `C 出血量` at the very start. After a
 * bare space the text must go on in Chinese or with the option's own text, so English prose
 * (`A patient presents with…`) is not read as option A.
 */
function leadingLetter(ctx: Context): LayerResult {
  const s = ctx.text.trimStart();
  if (echoesOptions(s)) return null;
  const set = readLetterSet(s, 0, ctx);
  if (!set) return null;
  const rest = s.slice(set.end);
  if (/^[ \t]*(?:[.、:)\]】]|\n|$)/.test(rest)) return asResult(set);
  const after = rest.replace(/^[ \t]+/, '');
  if (after === rest) return null;
  if (/^\p{Script=Han}/u.test(after)) return asResult(set);
  const own = set.letters.length === 1 ? ctx.options.find((o) => o.key === set.letters[0]) : null;
  if (own && squash(own.text).length > 0 && squash(after).startsWith(squash(own.text))) {
    return asResult(set);
  }
  return null;
}

const OPTION_LINE = /^[ \t]*[(\[【]?([A-Z])[)\]】]?[ \t]*[.、:)]/gm;

/** A reply that repeats the option list (`A. …\nB. …`) starts with A without choosing it. */
function echoesOptions(s: string): boolean {
  return new Set([...s.matchAll(OPTION_LINE)].map((m) => m[1])).size >= 2;
}

// --- Layer 5: option text ----------------------------------------------------------------------

/** For comparing option texts: half-width, lower case, no punctuation, symbols or spaces. */
function squash(text: string): string {
  return toHalfWidth(text)
    .toLowerCase()
    .replace(/[\p{P}\p{S}\s]/gu, '');
}

const EXPLANATION_MARKER = new RegExp(
  String.raw`【[ \t]*(?:解释|解析)[ \t]*】|\[[ \t]*(?:解释|解析)[ \t]*\]` +
    String.raw`|(?:解释|解析|explanation)[ \t]*[:：]`,
  'i',
);

/**
 * The reply names exactly one option by its full text. Looked for first in the answer field (after
 * the last `答案：`, to the end of its line or the explanation), then in the reply before any
 * explanation. Options whose text is one character, or occurs within another option's text
 * (`肝炎` vs `病毒性肝炎`, or a duplicate), cannot be told apart and are never matched.
 */
function optionTextMatch(ctx: Context): LayerResult {
  const texts = ctx.options.map((o) => ({ key: o.key, text: squash(o.text) }));
  const usable = texts.filter(
    (o) =>
      [...o.text].length >= 2 &&
      !texts.some((other) => other.key !== o.key && other.text.includes(o.text)),
  );
  const regions: string[] = [];
  const markers = [...ctx.text.matchAll(ANSWER_MARKER)];
  const last = markers[markers.length - 1];
  if (last) {
    const field = ctx.text.slice(last.index + last[0].length).split('\n')[0];
    regions.push(beforeExplanation(field));
  }
  regions.push(beforeExplanation(ctx.text));
  for (const region of regions) {
    const r = squash(region);
    if (r === '') continue;
    const hits = usable.filter((o) => r.includes(o.text));
    if (hits.length === 1) return { letters: [hits[0].key] };
    if (hits.length > 1) return null;
  }
  return null;
}

function beforeExplanation(text: string): string {
  const m = EXPLANATION_MARKER.exec(text);
  return m ? text.slice(0, m.index) : text;
}

// ---------------------------------------------------------------------------------------------
// Explanation

/** A line that starts an answer statement (ends an explanation written before the answer). */
const ANSWER_LINE_START =
  /^[ \t#>-]*(?:【[ \t]*答案[ \t]*】|(?:最终|正确)?答案[ \t]*[:是为]|answer[ \t]*:)/i;
const ANSWER_MARKER_ONE = new RegExp(ANSWER_MARKER.source, 'i');

/**
 * The explanation part of a reply, for explanation metrics:
 * 1. after the first `解释：` / `解析：` / `【解析】` / `Explanation:`, up to a later line that
 *    starts an answer statement;
 * 2. else the lines after the first answer line (`答案：A\n因为…`); if none follow it, the lines
 *    before it (a chain of thought ending in `答案：A`); if neither, what follows the letters on
 *    that line (`答案：A，因为…`);
 * 3. else the whole reply (free text without an answer statement is all explanation).
 */
export function extractExplanation(text: string): string {
  const marker = EXPLANATION_MARKER.exec(text);
  if (marker) {
    const lines = text.slice(marker.index + marker[0].length).split('\n');
    const stop = lines.findIndex((line, i) => i > 0 && ANSWER_LINE_START.test(normalise(line)));
    return (stop < 0 ? lines : lines.slice(0, stop)).join('\n').trim();
  }
  const lines = text.split('\n');
  const at = lines.findIndex((line) => ANSWER_MARKER_ONE.test(normalise(line)));
  if (at < 0) return text.trim();
  const after = lines
    .slice(at + 1)
    .join('\n')
    .trim();
  if (after) return after;
  const before = lines.slice(0, at).join('\n').trim();
  if (before) return before;
  // Same length as the original line, so offsets found here cut the original.
  const line = toHalfWidth(lines[at]);
  const m = ANSWER_MARKER_ONE.exec(line);
  if (!m) return '';
  const from = m.index + m[0].length;
  const set = ANSWER_LETTERS.exec(line.slice(from));
  if (!set) return '';
  return lines[at]
    .slice(from + set[0].length)
    .replace(/^[\s.。,，;；:：、!！*]+/, '')
    .trim();
}

/** The letters after an answer marker, as written (`A`, `**A**`, `(A)`, `A、C`, `AC`). */
const ANSWER_LETTERS =
  /^[ \t*]*[(\[【]?[A-Z](?:[ \t]*[、,和与及/]?[ \t]*[A-Z])*[)\]】]?(?![A-Za-z0-9])\**/;

// ---------------------------------------------------------------------------------------------
// CMExam's official rule

/**
 * Python's str.isspace() characters: what `str.split()` with no argument and `str.strip()` treat
 * as whitespace (JavaScript's \s differs: it has U+FEFF and lacks U+001C–U+001F and U+0085).
 */
const PY_SPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPLIT = new RegExp(`[${PY_SPACE}]+`);
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/**
 * Strings pandas 2.0 (pinned in CMExam's src/requirements.txt) reads back from a CSV cell as NaN.
 * CMExam writes the model outputs to CSV and reads them again before scoring, so a reply equal to
 * one of these is "not a string" there.
 */
const PANDAS_NA = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

/**
 * CMExam's answer extraction, `parse_options` in src/evaluation/evaluate_lora_result.py of
 * github.com/williamliujl/CMExam (the script that scores free-text outputs of the open models):
 * 1. An output that pandas reads back as NaN (empty, `NA`, …: see PANDAS_NA) → `无答案`.
 * 2. If the output contains `解释` anywhere, only its first line (up to the first `\n`) is
 *    searched; otherwise the whole output is.
 * 3. Each option, in the given order, is predicted when the searched text contains its letter
 *    (plain substring, case-sensitive: any `A` counts, also inside `DNA`; `Ａ` does not) or its
 *    content, which is the first whitespace-separated word of the option text (`op.split()[1]`
 *    of the line `A 出血量`), again as a plain substring.
 * 4. The prediction is those letters joined in option order; none → `无答案`, which is scored as
 *    wrong (it stays in the accuracy denominator).
 * Here `无答案` is `unparsed`. We sort the letters; CMExam's options are in A–E order, so the
 * string is the same. An option with empty text has no content word (Python would raise).
 *
 * The sibling scripts evaluate_gpt_result.py and evaluate_chatglm_result.py use another rule,
 * not reproduced: the regex `答案：(.*)，` (first match; greedy to the last `，` on that line,
 * full-width colon and comma required, `解释：` required too), whose raw capture is compared with
 * the gold answer as a string, and failed parses are dropped from the denominator.
 */
export function cmexamAnswer(
  text: string,
  options: OptionList,
): { answer: string; rule: 'cmexam' } | null {
  if (PANDAS_NA.has(text)) return null;
  const searched = text.includes('解释') ? text.split('\n')[0] : text;
  const letters: string[] = [];
  for (const o of options) {
    const content = o.text.split(PY_SPLIT).find((w) => w !== '');
    if (searched.includes(o.key) || (content !== undefined && searched.includes(content))) {
      letters.push(o.key);
    }
  }
  return letters.length ? { answer: [...new Set(letters)].sort().join(''), rule: 'cmexam' } : null;
}

/**
 * CMExam's explanation extraction, `parse_explanations` in the same file, for explanation metrics
 * that compare with the paper: NaN output → the literal `无答案`; no `解释:` (half-width colon)
 * → the whole output, unstripped; else the text between the first and second `解释:`, stripped.
 */
export function cmexamExplanation(text: string): string {
  if (PANDAS_NA.has(text)) return '无答案';
  if (!text.includes('解释:')) return text;
  return text.split('解释:')[1].replace(PY_STRIP, '');
}
