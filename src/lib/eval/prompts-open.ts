/**
 * Prompts of the `open` method: open-ended medical questions answered in free text (Huatuo-26M,
 * CMB-Clin, a user's QA file). A module of its own beside the choice prompts (prompts.ts):
 * there are no options, no answer letters and no extraction; the whole reply is the answer.
 *
 *   <context, when the item has one (a CMB-Clin case and its earlier turns)>
 *
 *   问题：<question>
 *
 * - `zero-shot`: the system prompt, then that user turn.
 * - `few-shot`: one user/assistant pair per example (another split's open items, drawn by seed),
 *   the assistant turn being the example's first reference answer, then the target question.
 * - `icp`: a first call lists the question's key medical points without answering, and the
 *   answer prompt carries them (as for choice questions, prompts.ts ICP_SEED).
 * `cot` is not offered: an open answer is its own reasoning.
 * Every prompt carries the hash of all templates of its style, as prompts.ts does.
 */
import type { ChatMessage } from '../engines/types';
import { mulberry32, shuffledIndices } from '../random';
import { cleanSeeds, fill, templateHash, type PromptTemplate } from './prompts';
import type { BuiltPrompt, EvalQuestion, PromptStyle } from './types';

export const OPEN_SYSTEM: PromptTemplate = {
  id: 'open-system',
  text: '你是一名医学专家，请根据医学知识，准确、简明、有条理地回答用户的医学问题。',
};

export const OPEN_QUESTION: PromptTemplate = { id: 'open-question', text: '问题：{question}' };

export const OPEN_CONTEXT: PromptTemplate = {
  id: 'open-context',
  text: '{context}\n\n问题：{question}',
};

export const OPEN_SHOT_REPLY: PromptTemplate = { id: 'open-shot-reply', text: '{reference}' };

export const OPEN_ICP_SEED: PromptTemplate = {
  id: 'open-icp-seed',
  text:
    '请先不要回答下面的问题，而是列出回答它所需的关键医学知识点（如相关症状、检查、诊断、' +
    '病因机制、治疗原则或用药注意事项）。每行一条，以“- ”开头，不超过5条。\n\n{question}',
};

export const OPEN_ICP_ANSWER: PromptTemplate = {
  id: 'open-icp-answer',
  text: '以下是与问题相关的关键医学知识点，供回答参考：\n{seeds}\n\n{question}\n\n请结合上述要点回答。',
};

const HASH_SEPARATOR = '\n\u241E\n';
const hashes = new Map<string, Promise<string>>();

function familyHash(templates: PromptTemplate[]): Promise<string> {
  const key = templates.map((t) => t.id).join(' ');
  let hash = hashes.get(key);
  if (!hash) {
    hash = templateHash(templates.map((t) => t.text).join(HASH_SEPARATOR));
    hashes.set(key, hash);
  }
  return hash;
}

/** The templates each open prompt style uses, in a fixed order, for its hash. */
export function openTemplatesFor(style: PromptStyle | 'icp-seed'): PromptTemplate[] {
  const base = [OPEN_SYSTEM, OPEN_QUESTION, OPEN_CONTEXT];
  switch (style) {
    case 'zero-shot':
      return base;
    case 'few-shot':
      return [...base, OPEN_SHOT_REPLY];
    case 'icp-seed':
      return [...base, OPEN_ICP_SEED];
    case 'icp':
      return [...base, OPEN_ICP_SEED, OPEN_ICP_ANSWER];
    case 'cot':
      throw new Error('Method open has no chain-of-thought prompt.');
  }
}

/** The item as the model reads it: its context (if any), then the question. */
export function formatOpenQuestion(q: EvalQuestion): string {
  const question = q.question.trim();
  const context = q.context?.trim();
  return context ? fill(OPEN_CONTEXT, { context, question }) : fill(OPEN_QUESTION, { question });
}

function system(): ChatMessage {
  return { role: 'system', content: OPEN_SYSTEM.text };
}

export async function buildOpenPrompt(
  q: EvalQuestion,
  style: PromptStyle,
  shots: readonly EvalQuestion[] = [],
): Promise<BuiltPrompt> {
  if (style === 'icp') throw new Error('ICP takes two calls: buildOpenIcpSeedPrompt first.');
  const messages: ChatMessage[] = [system()];
  if (style === 'few-shot') {
    for (const shot of shots) {
      if (shot.id === q.id) continue; // never hand an item its own reference
      messages.push(
        { role: 'user', content: formatOpenQuestion(shot) },
        {
          role: 'assistant',
          content: fill(OPEN_SHOT_REPLY, { reference: (shot.references ?? [''])[0].trim() }),
        },
      );
    }
  }
  messages.push({ role: 'user', content: formatOpenQuestion(q) });
  return { messages, templateHash: await familyHash(openTemplatesFor(style)) };
}

export async function buildOpenIcpSeedPrompt(q: EvalQuestion): Promise<BuiltPrompt> {
  const content = fill(OPEN_ICP_SEED, { question: formatOpenQuestion(q) });
  return {
    messages: [system(), { role: 'user', content }],
    templateHash: await familyHash(openTemplatesFor('icp-seed')),
  };
}

export async function buildOpenIcpAnswerPrompt(
  q: EvalQuestion,
  seeds: string,
): Promise<BuiltPrompt> {
  const content = fill(OPEN_ICP_ANSWER, {
    seeds: cleanSeeds(seeds),
    question: formatOpenQuestion(q),
  });
  return {
    messages: [system(), { role: 'user', content }],
    templateHash: await familyHash(openTemplatesFor('icp')),
  };
}

/**
 * Few-shot examples for open items: k items of `pool` with a reference, drawn by a seeded
 * partial shuffle (the same pool, k and seed give the same shots everywhere). Throws when the
 * pool has fewer than k.
 */
export function selectOpenShots(pool: EvalQuestion[], k: number, seed: number): EvalQuestion[] {
  const usable = pool.filter(
    (q) => q.kind === 'open' && (q.references ?? []).some((r) => r.trim()),
  );
  if (usable.length < k) {
    throw new Error(`Few-shot needs ${k} examples, but the pool has only ${usable.length} usable.`);
  }
  return shuffledIndices(usable.length, k, mulberry32(seed)).map((i) => usable[i]);
}
