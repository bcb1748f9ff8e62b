/**
 * Prompt builders: pure functions from a question to chat messages (the engine applies the
 * model's own chat template). Every prompt starts with `SYSTEM_PROMPT` as a system message.
 *
 * Question format (every style): CMExam's own `问题/选项` layout, with `题目：` and one option
 * per line written `A. text` (letter, full stop, space) so an option text that itself starts
 * with a Latin letter or a digit (`ACTH 升高`, `5 mg`) cannot run into its letter:
 *
 *   题目：<question>
 *   选项：
 *   A. <text>
 *   B. <text>
 *
 * Options are written with their own keys, so a question whose options start at B is shown
 * as B…E. Texts are trimmed; nothing else is rewritten.
 *
 * Styles and methods:
 * - `zero-shot`, `choice`: the user turn ends with the cue `答案：` (see ZERO_SHOT_CHOICE).
 * - `zero-shot`, `generate`: asks for CMExam's output, `答案：<letters>` then `解释：<text>`.
 * - `few-shot`: alternating user/assistant turns, one pair per example, each user turn written
 *   exactly as the zero-shot prompt of that example, each assistant turn the reply we want
 *   (the letters alone for `choice`; `答案：…` and, when the example has one, `解释：…` for
 *   `generate`), then the target question as the last user turn. Turns rather than one long
 *   message because chat models then see the examples as their own earlier replies.
 * - `cot`: step-by-step analysis ending with `答案：<letters>` on the last line; `generate` only.
 * - `icp`: two calls, `buildIcpSeedPrompt` then `buildIcpAnswerPrompt` (see ICP_SEED).
 *
 * Versioning: every BuiltPrompt carries one hash over all the templates of its style and method
 * (system, task wordings for single and multi answers, question and option lines, body and,
 * for few-shot, example replies; the ICP answer prompt also covers the seed template). So every
 * question of a run has the same hash, and changing any wording gives a new one.
 */
import { mulberry32, shuffledIndices } from '../random';
import { shortSha256 } from '../hash';
import type { ChatMessage } from '../engines/types';
import type { BuiltPrompt, EvalQuestion, Method, PromptStyle } from './types';

/** A template: plain text with named `{slot}`s, and a stable id for display. */
export interface PromptTemplate {
  id: string;
  text: string;
}

export const SYSTEM_PROMPT =
  '你是一名医学专家，熟悉中国医师资格考试涉及的基础医学、临床医学和预防医学知识，' +
  '请严谨、准确地回答医学考试题目。';

export const SYSTEM_TEMPLATE: PromptTemplate = { id: 'system', text: SYSTEM_PROMPT };

/** Task wording for a question with one correct answer. */
export const TASK_SINGLE: PromptTemplate = {
  id: 'task-single',
  text: '以下是中国医师资格考试的单项选择题，请选出唯一正确的答案。',
};

/** Task wording for a question with several correct answers (letters written in order). */
export const TASK_MULTI: PromptTemplate = {
  id: 'task-multi',
  text:
    '以下是中国医师资格考试的多项选择题，可能有多个正确答案，请选出所有正确的答案，' +
    '答案字母按字母顺序连写（如 AC）。',
};

export const QUESTION_TEMPLATE: PromptTemplate = {
  id: 'question',
  text: '题目：{question}\n选项：\n{options}',
};

export const OPTION_TEMPLATE: PromptTemplate = { id: 'option', text: '{key}. {text}' };

/**
 * `choice` scores the next token: the engine reads the probability of each option letter as the
 * first token of the assistant's reply (Engine.scoreLetters), so the user turn ends with the cue
 * `答案：` and asks for the letters alone. The cue stays in the user turn because the engines'
 * chat APIs expect the last message to be the user's (no assistant prefill).
 */
export const ZERO_SHOT_CHOICE: PromptTemplate = {
  id: 'zero-shot-choice',
  text: '{task}\n\n{question}\n\n请只输出答案字母，不要输出其他内容。\n答案：',
};

/** CMExam's answer-then-explanation output, which the `cmexam` extraction rule reads. */
export const ZERO_SHOT_GENERATE: PromptTemplate = {
  id: 'zero-shot-generate',
  text:
    '{task}\n\n{question}\n\n' +
    '请按以下格式作答，第一行给出答案，第二行给出解释：\n答案：<选项字母>\n解释：<简要解释>',
};

/** Few-shot example reply for `choice`: the letters alone, as the scored token will be. */
export const SHOT_REPLY_CHOICE: PromptTemplate = { id: 'shot-reply-choice', text: '{answer}' };

export const SHOT_REPLY_GENERATE: PromptTemplate = {
  id: 'shot-reply-generate',
  text: '答案：{answer}\n解释：{explanation}',
};

/** For examples without an explanation: no empty `解释：` line to imitate. */
export const SHOT_REPLY_GENERATE_BRIEF: PromptTemplate = {
  id: 'shot-reply-generate-brief',
  text: '答案：{answer}',
};

export const COT_GENERATE: PromptTemplate = {
  id: 'cot-generate',
  text:
    '{task}\n\n{question}\n\n' +
    '请逐步分析：先概括题干中的关键信息，再逐一分析各选项的正误，' +
    '最后单独一行按“答案：<选项字母>”的格式给出答案。',
};

/**
 * ICP (In-Context Padding; Wu, Wu and Yang, "Guiding Clinical Reasoning with Large Language
 * Models via Knowledge Seeds", IJCAI 2024): first infer the question's critical clinical
 * reasoning elements ("knowledge seeds") without answering, then answer with those seeds padded
 * into the context as anchors for the reasoning. The paper also checks seeds against a medical
 * knowledge graph; here the same model infers them, with no external knowledge (browser-only).
 */
export const ICP_SEED: PromptTemplate = {
  id: 'icp-seed',
  text:
    '以下是一道中国医师资格考试题目。请先不要作答，而是列出解答这道题所需的关键临床推理要素' +
    '和医学知识点（如关键症状与体征、检查结果、可能的诊断、病理生理机制、治疗原则或药物作用等）。' +
    '每行一条，以“- ”开头，不超过5条，每条简明扼要；不要给出答案，也不要判断选项对错。\n\n' +
    '{question}',
};

const ICP_SEEDS_BLOCK = '以下是与本题相关的关键临床推理要素和医学知识点，供作答参考：\n{seeds}';

export const ICP_ANSWER_CHOICE: PromptTemplate = {
  id: 'icp-answer-choice',
  text: `{task}\n\n${ICP_SEEDS_BLOCK}\n\n{question}\n\n请只输出答案字母，不要输出其他内容。\n答案：`,
};

export const ICP_ANSWER_GENERATE: PromptTemplate = {
  id: 'icp-answer-generate',
  text:
    `{task}\n\n${ICP_SEEDS_BLOCK}\n\n{question}\n\n` +
    '请结合上述要点作答，第一行给出答案，第二行给出解释：\n答案：<选项字母>\n解释：<简要解释>',
};

/** Stands in for seeds when the first ICP call returned nothing usable. */
const NO_SEEDS = '（无）';

/** Between template texts when several are hashed together; no template contains it. */
const HASH_SEPARATOR = '\n\u241E\n';

/** First 16 hex characters of the SHA-256 of the text (UTF-8). */
export function templateHash(text: string): Promise<string> {
  return shortSha256(text);
}

/** The templates one prompt family uses, in a fixed order, for its hash. */
export function templatesFor(style: PromptStyle | 'icp-seed', method: Method): PromptTemplate[] {
  const base = [SYSTEM_TEMPLATE, TASK_SINGLE, TASK_MULTI, QUESTION_TEMPLATE, OPTION_TEMPLATE];
  const zeroShot = method === 'choice' ? ZERO_SHOT_CHOICE : ZERO_SHOT_GENERATE;
  switch (style) {
    case 'zero-shot':
      return [...base, zeroShot];
    case 'few-shot':
      return method === 'choice'
        ? [...base, zeroShot, SHOT_REPLY_CHOICE]
        : [...base, zeroShot, SHOT_REPLY_GENERATE, SHOT_REPLY_GENERATE_BRIEF];
    case 'cot':
      return [...base, COT_GENERATE];
    case 'icp-seed':
      return [SYSTEM_TEMPLATE, QUESTION_TEMPLATE, OPTION_TEMPLATE, ICP_SEED];
    case 'icp':
      return [...base, ICP_SEED, method === 'choice' ? ICP_ANSWER_CHOICE : ICP_ANSWER_GENERATE];
  }
}

// Hashing is async and the same for every question of a run: compute each family once, keyed
// by its templates' ids (their texts do not change while the app runs).
const familyHashes = new Map<string, Promise<string>>();

function familyHash(templates: PromptTemplate[]): Promise<string> {
  const key = templates.map((t) => t.id).join(' ');
  let hash = familyHashes.get(key);
  if (!hash) {
    hash = templateHash(templates.map((t) => t.text).join(HASH_SEPARATOR));
    familyHashes.set(key, hash);
  }
  return hash;
}

/**
 * Fill `{name}` slots in one pass, so braces inside the values (question text, model output)
 * are never read as slots. A slot without a value is a bug in this file: throw.
 */
export function fill(template: PromptTemplate, values: Record<string, string>): string {
  return template.text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`Template ${template.id} has no value for {${name}}.`);
    return value;
  });
}

/** The question and its options in the documented `题目：…\n选项：\nA. …` format. */
export function formatQuestion(q: EvalQuestion): string {
  if (q.options.length === 0) throw new Error(`Question ${q.id} has no options.`);
  const options = q.options
    .map((o) => fill(OPTION_TEMPLATE, { key: o.key, text: o.text.trim() }))
    .join('\n');
  return fill(QUESTION_TEMPLATE, { question: q.question.trim(), options });
}

function taskOf(q: EvalQuestion): string {
  return (q.multi ? TASK_MULTI : TASK_SINGLE).text;
}

function system(): ChatMessage {
  return { role: 'system', content: SYSTEM_PROMPT };
}

function zeroShotUser(q: EvalQuestion, method: Method): ChatMessage {
  const template = method === 'choice' ? ZERO_SHOT_CHOICE : ZERO_SHOT_GENERATE;
  return {
    role: 'user',
    content: fill(template, { task: taskOf(q), question: formatQuestion(q) }),
  };
}

function shotReply(shot: EvalQuestion, method: Method): ChatMessage {
  const explanation = shot.explanation.trim();
  const content =
    method === 'choice'
      ? fill(SHOT_REPLY_CHOICE, { answer: shot.answer })
      : explanation
        ? fill(SHOT_REPLY_GENERATE, { answer: shot.answer, explanation })
        : fill(SHOT_REPLY_GENERATE_BRIEF, { answer: shot.answer });
  return { role: 'assistant', content };
}

/** Whitespace-insensitive question text, to catch the same question under another id. */
function sameQuestion(a: EvalQuestion, b: EvalQuestion): boolean {
  return a.id === b.id || a.question.replace(/\s+/g, '') === b.question.replace(/\s+/g, '');
}

export interface BuildOptions {
  style: PromptStyle;
  method: Method;
  /** Few-shot examples (from `selectShots`), the same for every question of a run. */
  shots?: EvalQuestion[];
}

/** The prompt for zero-shot, few-shot and CoT; ICP goes through its two builders. */
export async function buildPrompt(q: EvalQuestion, options: BuildOptions): Promise<BuiltPrompt> {
  const { style, method } = options;
  switch (style) {
    case 'zero-shot': {
      const messages = [system(), zeroShotUser(q, method)];
      return { messages, templateHash: await familyHash(templatesFor(style, method)) };
    }
    case 'few-shot': {
      // A shot equal to the evaluated question would hand it its own answer: drop it for this
      // question only (the run's other questions keep the full set).
      const shots = (options.shots ?? []).filter((s) => !sameQuestion(s, q));
      const messages = [system()];
      for (const shot of shots) messages.push(zeroShotUser(shot, method), shotReply(shot, method));
      messages.push(zeroShotUser(q, method));
      return { messages, templateHash: await familyHash(templatesFor(style, method)) };
    }
    case 'cot': {
      if (method !== 'generate') {
        throw new Error(
          'Chain-of-thought prompts need the generate method: the model must write its reasoning ' +
            'before the answer, which next-token letter scoring (choice) cannot read.',
        );
      }
      const content = fill(COT_GENERATE, { task: taskOf(q), question: formatQuestion(q) });
      return {
        messages: [system(), { role: 'user', content }],
        templateHash: await familyHash(templatesFor(style, method)),
      };
    }
    case 'icp':
      throw new Error(
        'ICP prompts take two calls: build them with buildIcpSeedPrompt and buildIcpAnswerPrompt.',
      );
  }
}

/** ICP, first call: ask for the question's knowledge seeds, without an answer. */
export async function buildIcpSeedPrompt(q: EvalQuestion): Promise<BuiltPrompt> {
  const content = fill(ICP_SEED, { question: formatQuestion(q) });
  return {
    messages: [system(), { role: 'user', content }],
    templateHash: await familyHash(templatesFor('icp-seed', 'generate')),
  };
}

/** The first call's output as seeds: without a reasoning model's think block, trimmed. */
export function cleanSeeds(raw: string): string {
  const text = raw.replace(/<think>[\s\S]*?(<\/think>|$)/g, '').trim();
  return text || NO_SEEDS;
}

/** ICP, second call: answer the question with the seeds (the first call's output) in context. */
export async function buildIcpAnswerPrompt(
  q: EvalQuestion,
  seeds: string,
  method: Method,
): Promise<BuiltPrompt> {
  const template = method === 'choice' ? ICP_ANSWER_CHOICE : ICP_ANSWER_GENERATE;
  const content = fill(template, {
    task: taskOf(q),
    seeds: cleanSeeds(seeds),
    question: formatQuestion(q),
  });
  return {
    messages: [system(), { role: 'user', content }],
    templateHash: await familyHash(templatesFor('icp', method)),
  };
}

/** `count` items of `items`, drawn uniformly by a seeded partial shuffle. */
function draw<T>(items: T[], count: number, random: () => number): T[] {
  return shuffledIndices(items.length, count, random).map((i) => items[i]);
}

/**
 * Few-shot examples: k questions of `pool` (another split than the evaluated one), drawn by a
 * seeded PRNG, so the same pool, k and seed always give the same shots, in every browser. The
 * runner draws them once per run and uses them for every question.
 *
 * Preference, tier by tier until k are drawn: single-answer with an explanation, single-answer
 * without, multi-answer with, multi-answer without (single-answer examples with explanations
 * show the format best). Questions with no answer, or whose id is in `exclude`, are never used.
 * Shots come out in draw order. Throws when the pool has fewer than k usable questions.
 */
export function selectShots(
  pool: EvalQuestion[],
  k: number,
  seed: number,
  exclude?: Set<string>,
): EvalQuestion[] {
  if (!Number.isInteger(k) || k < 0) throw new Error(`k must be a whole number ≥ 0, not ${k}.`);
  if (!Number.isFinite(seed)) throw new Error(`The seed must be a number, not ${seed}.`);
  if (k === 0) return [];
  const usable = pool.filter((q) => q.answer.length > 0 && !exclude?.has(q.id));
  if (usable.length < k) {
    throw new Error(`Few-shot needs ${k} examples, but the pool has only ${usable.length} usable.`);
  }
  const explained = (q: EvalQuestion) => q.explanation.trim() !== '';
  const tiers = [
    usable.filter((q) => !q.multi && explained(q)),
    usable.filter((q) => !q.multi && !explained(q)),
    usable.filter((q) => q.multi && explained(q)),
    usable.filter((q) => q.multi && !explained(q)),
  ];
  const random = mulberry32(seed);
  const shots: EvalQuestion[] = [];
  for (const tier of tiers) {
    if (shots.length === k) break;
    shots.push(...draw(tier, k - shots.length, random));
  }
  return shots;
}
