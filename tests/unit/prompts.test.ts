import { describe, expect, it } from 'vitest';
import {
  ICP_SEED,
  SYSTEM_PROMPT,
  ZERO_SHOT_CHOICE,
  buildIcpAnswerPrompt,
  buildIcpSeedPrompt,
  buildPrompt,
  fill,
  formatQuestion,
  selectShots,
  templateHash,
  templatesFor,
} from '../../src/lib/eval/prompts';
import type { EvalQuestion } from '../../src/lib/eval/types';

// Synthetic questions written for these tests (no CMExam content).
function question(over: Partial<EvalQuestion> = {}): EvalQuestion {
  return {
    id: 'synthetic/0',
    row: 0,
    question: '下列哪项是合成测试题的正确选项',
    options: [
      { key: 'A', text: '甲选项' },
      { key: 'B', text: '乙选项' },
      { key: 'C', text: '丙选项' },
      { key: 'D', text: '丁选项' },
      { key: 'E', text: '戊选项' },
    ],
    answer: 'C',
    explanation: '合成解释：丙选项正确。',
    annotations: {},
    multi: false,
    ...over,
  };
}

const Q = question();
const MULTI = question({ id: 'synthetic/1', answer: 'ABD', multi: true });
const FROM_B = question({
  id: 'synthetic/2',
  question: '选项从B开始的合成题',
  options: [
    { key: 'B', text: '乙' },
    { key: 'C', text: '丙' },
    { key: 'D', text: '丁' },
    { key: 'E', text: '戊' },
  ],
  answer: 'E',
});

const SINGLE_TASK = '以下是中国医师资格考试的单项选择题，请选出唯一正确的答案。';
const MULTI_TASK =
  '以下是中国医师资格考试的多项选择题，可能有多个正确答案，请选出所有正确的答案，' +
  '答案字母按字母顺序连写（如 AC）。';
const Q_TEXT =
  '题目：下列哪项是合成测试题的正确选项\n选项：\nA. 甲选项\nB. 乙选项\nC. 丙选项\nD. 丁选项\nE. 戊选项';
const CHOICE_END = '请只输出答案字母，不要输出其他内容。\n答案：';
const GENERATE_END =
  '请按以下格式作答，第一行给出答案，第二行给出解释：\n答案：<选项字母>\n解释：<简要解释>';

/** A pool of 20 synthetic questions from "another split": 12 single with explanations, etc. */
function pool(): EvalQuestion[] {
  return Array.from({ length: 20 }, (_, i) =>
    question({
      id: `pool/${i}`,
      row: i,
      question: `合成例题${i}：下列哪项正确`,
      answer: i >= 16 ? 'AB' : 'A',
      multi: i >= 16,
      explanation: i < 12 || i === 16 ? `例题${i}的解释。` : '',
    }),
  );
}

describe('formatQuestion', () => {
  it('writes 题目, 选项 and one `A. text` line per option', () => {
    expect(formatQuestion(Q)).toBe(Q_TEXT);
  });
  it('keeps the keys of options that start at B', () => {
    expect(formatQuestion(FROM_B)).toBe(
      '题目：选项从B开始的合成题\n选项：\nB. 乙\nC. 丙\nD. 丁\nE. 戊',
    );
  });
  it('does not read braces in the question as template slots', () => {
    const q = question({ question: '含有{question}与{options}字样的题' });
    expect(formatQuestion(q)).toContain('题目：含有{question}与{options}字样的题\n');
  });
});

describe('zero-shot', () => {
  it('choice: system prompt, then the single-answer task ending with the 答案： cue', async () => {
    const p = await buildPrompt(Q, { style: 'zero-shot', method: 'choice' });
    expect(p.messages).toEqual([
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: `${SINGLE_TASK}\n\n${Q_TEXT}\n\n${CHOICE_END}` },
    ]);
    expect(p.messages[1].content.endsWith('\n答案：')).toBe(true);
    expect(p.templateHash).toMatch(/^[0-9a-f]{16}$/);
  });
  it('generate: asks for 答案 then 解释', async () => {
    const p = await buildPrompt(Q, { style: 'zero-shot', method: 'generate' });
    expect(p.messages[1].content).toBe(`${SINGLE_TASK}\n\n${Q_TEXT}\n\n${GENERATE_END}`);
  });
  it('words multi-answer questions differently, with the same hash as single ones', async () => {
    const single = await buildPrompt(Q, { style: 'zero-shot', method: 'choice' });
    const multi = await buildPrompt(MULTI, { style: 'zero-shot', method: 'choice' });
    expect(multi.messages[1].content).toBe(`${MULTI_TASK}\n\n${Q_TEXT}\n\n${CHOICE_END}`);
    expect(multi.messages[1].content).toContain('可能有多个正确答案');
    expect(single.messages[1].content).toContain('唯一正确的答案');
    expect(multi.templateHash).toBe(single.templateHash);
  });
  it('shows options starting at B as B–E', async () => {
    const p = await buildPrompt(FROM_B, { style: 'zero-shot', method: 'choice' });
    expect(p.messages[1].content).toContain('选项：\nB. 乙\nC. 丙\nD. 丁\nE. 戊\n\n');
    expect(p.messages[1].content).not.toContain('A. ');
  });
  it('gives each style and method its own hash', async () => {
    const hashes = await Promise.all([
      buildPrompt(Q, { style: 'zero-shot', method: 'choice' }),
      buildPrompt(Q, { style: 'zero-shot', method: 'generate' }),
      buildPrompt(Q, { style: 'few-shot', method: 'choice', shots: [] }),
      buildPrompt(Q, { style: 'few-shot', method: 'generate', shots: [] }),
      buildPrompt(Q, { style: 'cot', method: 'generate' }),
      buildIcpSeedPrompt(Q),
      buildIcpAnswerPrompt(Q, '- 要点', 'choice'),
      buildIcpAnswerPrompt(Q, '- 要点', 'generate'),
    ]);
    expect(new Set(hashes.map((p) => p.templateHash)).size).toBe(hashes.length);
  });
});

describe('few-shot', () => {
  const shotA = question({
    id: 'train/1',
    question: '合成例题甲',
    answer: 'B',
    explanation: '例解甲。',
  });
  const shotB = question({ id: 'train/2', question: '合成例题乙', answer: 'D', explanation: ' ' });

  it('choice: alternating user/assistant turns, replies are the letters alone', async () => {
    const p = await buildPrompt(Q, { style: 'few-shot', method: 'choice', shots: [shotA, shotB] });
    const shotText = (title: string) => Q_TEXT.replace('下列哪项是合成测试题的正确选项', title);
    expect(p.messages).toEqual([
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: `${SINGLE_TASK}\n\n${shotText('合成例题甲')}\n\n${CHOICE_END}` },
      { role: 'assistant', content: 'B' },
      { role: 'user', content: `${SINGLE_TASK}\n\n${shotText('合成例题乙')}\n\n${CHOICE_END}` },
      { role: 'assistant', content: 'D' },
      { role: 'user', content: `${SINGLE_TASK}\n\n${Q_TEXT}\n\n${CHOICE_END}` },
    ]);
  });
  it('generate: replies carry 答案 and, when the example has one, 解释', async () => {
    const p = await buildPrompt(Q, {
      style: 'few-shot',
      method: 'generate',
      shots: [shotA, shotB],
    });
    expect(p.messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
    ]);
    expect(p.messages[1].content.endsWith(GENERATE_END)).toBe(true);
    expect(p.messages[2].content).toBe('答案：B\n解释：例解甲。');
    expect(p.messages[4].content).toBe('答案：D');
    expect(p.messages[5].content).toBe(`${SINGLE_TASK}\n\n${Q_TEXT}\n\n${GENERATE_END}`);
  });
  it('never shows the evaluated question among its own shots (same id or same text)', async () => {
    const sameText = question({ id: 'train/9', question: ' 下列哪项是合成测试题的 正确选项' });
    const p = await buildPrompt(Q, {
      style: 'few-shot',
      method: 'choice',
      shots: [Q, shotA, sameText],
    });
    expect(p.messages).toHaveLength(4);
    expect(p.messages[1].content).toContain('合成例题甲');
  });
});

describe('selectShots', () => {
  it('gives the same shots for the same seed and different ones for another seed', () => {
    const ids = (seed: number) => selectShots(pool(), 3, seed).map((q) => q.id);
    expect(ids(1)).toEqual(ids(1));
    expect(ids(1)).toHaveLength(3);
    expect(ids(2)).not.toEqual(ids(1));
    expect(ids(42)).not.toEqual(ids(2));
  });
  it('prefers single-answer examples with explanations', () => {
    for (let seed = 0; seed < 20; seed++) {
      for (const q of selectShots(pool(), 5, seed)) {
        expect(q.multi).toBe(false);
        expect(q.explanation).not.toBe('');
      }
    }
  });
  it('falls back tier by tier: single without explanation, then multi', () => {
    const shots = selectShots(pool(), 17, 7);
    expect(shots.slice(0, 12).every((q) => !q.multi && q.explanation)).toBe(true);
    expect(shots.slice(12, 16).every((q) => !q.multi && !q.explanation)).toBe(true);
    expect(shots[16].id).toBe('pool/16');
  });
  it('leaves out excluded ids and questions with no answer', () => {
    const p = pool();
    p[0].answer = '';
    const exclude = new Set(p.slice(1, 11).map((q) => q.id));
    const ids = selectShots(p, 2, 3, exclude).map((q) => q.id);
    // Only pool/11 is left among single-answer examples with explanations; the second shot
    // comes from the next tier (single-answer, no explanation: pool/12–15).
    expect(ids[0]).toBe('pool/11');
    expect(['pool/12', 'pool/13', 'pool/14', 'pool/15']).toContain(ids[1]);
  });
  it('returns nothing for k = 0 and refuses a k the pool cannot fill', () => {
    expect(selectShots(pool(), 0, 1)).toEqual([]);
    expect(() => selectShots(pool().slice(0, 2), 3, 1)).toThrow('only 2 usable');
    expect(() => selectShots(pool(), 1.5, 1)).toThrow('whole number');
  });
});

describe('chain-of-thought', () => {
  it('asks for step-by-step analysis and 答案： on the last line', async () => {
    const p = await buildPrompt(Q, { style: 'cot', method: 'generate' });
    expect(p.messages[1].content).toBe(
      `${SINGLE_TASK}\n\n${Q_TEXT}\n\n` +
        '请逐步分析：先概括题干中的关键信息，再逐一分析各选项的正误，' +
        '最后单独一行按“答案：<选项字母>”的格式给出答案。',
    );
  });
  it('refuses the choice method with a clear error', async () => {
    await expect(buildPrompt(Q, { style: 'cot', method: 'choice' })).rejects.toThrow(
      'Chain-of-thought prompts need the generate method',
    );
  });
});

describe('ICP', () => {
  it('first call lists knowledge seeds without answering', async () => {
    const p = await buildIcpSeedPrompt(Q);
    expect(p.messages[0]).toEqual({ role: 'system', content: SYSTEM_PROMPT });
    expect(p.messages[1].content).toBe(fill(ICP_SEED, { question: Q_TEXT }));
    expect(p.messages[1].content).toContain('请先不要作答');
    expect(p.messages[1].content.endsWith(Q_TEXT)).toBe(true);
  });
  it('second call answers with the seeds in context', async () => {
    const seeds = '- 合成要点一\n- 合成要点二';
    const p = await buildIcpAnswerPrompt(Q, seeds, 'choice');
    expect(p.messages[1].content).toBe(
      `${SINGLE_TASK}\n\n以下是与本题相关的关键临床推理要素和医学知识点，供作答参考：\n${seeds}` +
        `\n\n${Q_TEXT}\n\n${CHOICE_END}`,
    );
    const g = await buildIcpAnswerPrompt(MULTI, seeds, 'generate');
    expect(g.messages[1].content).toContain(seeds);
    expect(g.messages[1].content).toContain(MULTI_TASK);
    expect(g.messages[1].content.endsWith('答案：<选项字母>\n解释：<简要解释>')).toBe(true);
  });
  it('drops a think block and stands in for empty seeds', async () => {
    const p = await buildIcpAnswerPrompt(Q, '<think>内部推理</think>\n- 要点\n', 'choice');
    expect(p.messages[1].content).toContain('供作答参考：\n- 要点\n\n题目：');
    expect(p.messages[1].content).not.toContain('内部推理');
    const empty = await buildIcpAnswerPrompt(Q, '  ', 'choice');
    expect(empty.messages[1].content).toContain('供作答参考：\n（无）\n\n');
  });
  it('is not built by buildPrompt', async () => {
    await expect(buildPrompt(Q, { style: 'icp', method: 'generate' })).rejects.toThrow(
      'buildIcpSeedPrompt',
    );
  });
});

describe('templateHash', () => {
  it('is the first 16 hex characters of SHA-256', async () => {
    // sha256('abc') = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
    expect(await templateHash('abc')).toBe('ba7816bf8f01cfea');
  });
  it('is stable for the same text and changes with one character', async () => {
    const text = ZERO_SHOT_CHOICE.text;
    expect(await templateHash(text)).toBe(await templateHash(`${text}`));
    expect(await templateHash(text)).not.toBe(await templateHash(text.replace('答案：', '答案:')));
  });
  it('covers every template a family uses', () => {
    expect(templatesFor('icp', 'choice').map((t) => t.id)).toEqual([
      'system',
      'task-single',
      'task-multi',
      'question',
      'option',
      'icp-seed',
      'icp-answer-choice',
    ]);
  });
});
