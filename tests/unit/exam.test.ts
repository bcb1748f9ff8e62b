// Exam mode's pure parts (src/lib/exam/): the spec and its link, the hash, timing rules, the
// sitting's steps, grading, the files, class statistics and the person–model comparison, each
// against values worked out by hand here.
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/lib/eval/spec';
import { classToHtml } from '../../src/lib/exam/class-report';
import type { EvalQuestion } from '../../src/lib/eval/types';
import {
  checkHandins,
  classResults,
  medianRank,
  summarise,
  tQuantile95,
} from '../../src/lib/exam/class';
import { cohenKappa, comparePersonModel } from '../../src/lib/exam/compare';
import {
  examFileOf,
  parseExamFile,
  parseSittingFile,
  type SittingFile,
} from '../../src/lib/exam/files';
import { gradeSitting, sittingFileOf } from '../../src/lib/exam/grading';
import { examLinkFor, parseExamLink } from '../../src/lib/exam/link';
import {
  finished,
  newSitting,
  started,
  statusOf,
  withFlag,
  withLetter,
  withTime,
} from '../../src/lib/exam/sitting';
import { canonicalExamSpec, examIdFor, type ExamSpec } from '../../src/lib/exam/spec';
import {
  effectiveLimitMs,
  extended,
  MAX_EXTENSIONS,
  timingState,
  warningLeadMs,
  type SittingTiming,
} from '../../src/lib/exam/timing';

const CMEXAM_VAL = { kind: 'cmexam' as const, split: 'val' as const, mirror: null };

function spec(over: Partial<ExamSpec> = {}): ExamSpec {
  return canonicalExamSpec({
    splitId: 'cmexam/val',
    subset: { filters: {}, mode: 'random', n: 20, stratifyBy: null, shard: { index: 1, count: 1 } },
    seed: 3,
    multi: 'include',
    timeMinutes: null,
    title: null,
    ...over,
  });
}

function q(i: number, answer: string, annotations: Record<string, string> = {}): EvalQuestion {
  return {
    id: `custom/x/${i}`,
    row: i,
    question: `合成题${i}`,
    options: 'ABCDE'.split('').map((key) => ({ key, text: `选项${key}` })),
    answer,
    explanation: `解释${i}`,
    annotations,
    multi: answer.length > 1,
  };
}

describe('exam links and ids', () => {
  it('reads the issue’s example; the same link is the same exam', async () => {
    const link = parseExamLink('?mode=exam&dataset=cmexam&split=val&n=20&seed=3');
    expect(link.problems).toEqual([]);
    // No subset with n is "first" (as for runs); multi defaults to include, no time limit.
    expect(link.spec).toEqual(
      spec({
        subset: {
          filters: {},
          mode: 'first',
          n: 20,
          stratifyBy: null,
          shard: { index: 1, count: 1 },
        },
      }),
    );
    const again = parseExamLink('?seed=3&n=20&split=val&dataset=cmexam&mode=exam');
    expect(await examIdFor(again.spec!)).toBe(await examIdFor(link.spec!));
    expect(await examIdFor(link.spec!)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('round-trips every setting, and any change is another exam', async () => {
    const s = spec({
      timeMinutes: 45,
      title: '期中 小测',
      multi: 'skip',
      subset: {
        filters: { 'Disease Group': ['呼吸', '心血管'] },
        mode: 'random',
        n: 30,
        stratifyBy: null,
        shard: { index: 2, count: 3 },
      },
    });
    const back = parseExamLink(examLinkFor(s, CMEXAM_VAL));
    expect(back.problems).toEqual([]);
    expect(canonicalJson(back.spec)).toBe(canonicalJson(s));
    const ids = await Promise.all(
      [s, { ...s, seed: 4 }, { ...s, timeMinutes: 46 }, { ...s, title: null }].map(examIdFor),
    );
    expect(new Set(ids).size).toBe(4);
  });

  it('lists every problem and falls back on nothing', () => {
    const r = parseExamLink(
      '?mode=exam&dataset=cmexam&split=val&n=0&time=0&multi=some&title=%20&colour=red',
    );
    expect(r.spec).toBeNull();
    expect(r.problems).toEqual([
      'Unknown parameter "colour" for an exam.',
      '"n" must be a whole number of at least 1, not "0" (to take every question leave out n and subset).',
      '"multi" must be one of include, skip, not "some".',
      '"time" must be a whole number from 1 to 1440, not "0" (minutes; leave it out for no limit).',
      '"title" is empty: leave it out for an exam without a title.',
    ]);
    expect(parseExamLink('?mode=exam').problems).toContain(
      'An exam needs "dataset": cmexam (with "split") or the http(s) URL of a file.',
    );
  });
});

describe('timing (WCAG 2.2 timing adjustable)', () => {
  const base: SittingTiming = { limitMs: 60_000, factor: 1, extensions: 0, startedAt: 1_000 };

  it('the student may extend the limit up to 10× or turn it off before starting', () => {
    expect(effectiveLimitMs(base)).toBe(60_000);
    expect(effectiveLimitMs({ ...base, factor: 10 })).toBe(600_000);
    expect(effectiveLimitMs({ ...base, factor: 'off' })).toBeNull();
    expect(timingState({ ...base, factor: 'off' }, 10_000_000)).toEqual({ state: 'none' });
  });

  it('warns 20% before the end but never less than 20 s before; then it is over', () => {
    // 1 minute: 20% is 12 s, below the 20 s minimum → warned from 20 s left, i.e. 40 s in.
    expect(warningLeadMs(base)).toBe(20_000);
    expect(timingState(base, 1_000 + 39_999)).toEqual({ state: 'running', remainingMs: 20_001 });
    expect(timingState(base, 1_000 + 40_000)).toEqual({
      state: 'warning',
      remainingMs: 20_000,
      canExtend: true,
    });
    expect(timingState(base, 1_000 + 60_000)).toEqual({ state: 'over' });
    // 30 minutes: 20% is 6 min, above the 5 min maximum → 5 min.
    expect(warningLeadMs({ ...base, limitMs: 30 * 60_000 })).toBe(5 * 60_000);
    // 10 minutes: 2 min.
    expect(warningLeadMs({ ...base, limitMs: 10 * 60_000 })).toBe(120_000);
  });

  it('each extension adds the chosen limit once more, at least ten times', () => {
    let t: SittingTiming = { ...base, factor: 2 };
    for (let i = 0; i < 12; i++) t = extended(t);
    expect(t.extensions).toBe(MAX_EXTENSIONS);
    // 60 s × 2 × (1 + 10) = 1,320 s.
    expect(effectiveLimitMs(t)).toBe(1_320_000);
    expect(timingState({ ...t, extensions: MAX_EXTENSIONS }, 1_000 + 1_310_000)).toEqual({
      state: 'warning',
      remainingMs: 10_000,
      canExtend: false,
    });
  });
});

describe('a sitting, step by step', () => {
  const qs = [q(0, 'A'), q(1, 'AC'), q(2, 'E')];
  const fresh = () =>
    newSitting({ id: 's1', examId: 'e1', attempt: 1, limitMs: null, now: new Date(0) });

  it('letters answer, toggle on a multi-answer question, and nothing counts before the start', () => {
    let s = fresh();
    expect(withLetter(s, qs[0], 'A', 5)).toBe(s); // not started
    s = started(s, 1, 10);
    expect(statusOf(s, qs)).toBe('ready');
    s = withLetter(s, qs[0], 'B', 20);
    s = withLetter(s, qs[0], 'A', 21); // single answer: replaced
    expect(s.answers['custom/x/0'].answer).toBe('A');
    expect(statusOf(s, qs)).toBe('sitting');
    s = withLetter(s, qs[1], 'C', 30);
    s = withLetter(s, qs[1], 'A', 31);
    expect(s.answers['custom/x/1'].answer).toBe('AC'); // sorted
    s = withLetter(s, qs[1], 'C', 32);
    expect(s.answers['custom/x/1'].answer).toBe('A'); // taken back out
    s = withLetter(s, qs[1], 'Z', 33); // not an option: ignored
    expect(s.answers['custom/x/1'].answer).toBe('A');
    s = withFlag(s, qs[2]);
    s = withTime(withTime(s, qs[2], 1500), qs[2], 500);
    expect(s.answers['custom/x/2']).toMatchObject({ answer: '', flagged: true, ms: 2000 });
    const done = finished(s, 'student', 40);
    expect(done.status).toBe('finished');
    expect(withLetter(done, qs[2], 'E', 50)).toBe(done); // read-only
  });

  it('grades like a run: exact match of letter sets, unanswered wrong and counted apart', () => {
    let s = started(fresh(), 1, 0);
    s = withLetter(s, qs[0], 'A', 1); // right
    s = withLetter(s, qs[1], 'A', 2); // AC wanted: wrong
    s = finished(s, 'student', 3);
    const r = gradeSitting({ questions: qs }, s);
    expect(r).toMatchObject({ correct: 1, total: 3, unanswered: 1 });
    expect(r.accuracy).toBeCloseTo(1 / 3, 12);
    // Wilson 95% for 1 / 3: (p + z²/2n ± z√(p(1−p)/n + z²/4n²)) / (1 + z²/n), z = 1.959964.
    const z = 1.959963984540054;
    const p = 1 / 3;
    const n = 3;
    const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
    const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
    expect(r.ciLow).toBeCloseTo(centre - half, 9);
    expect(r.ciHigh).toBeCloseTo(centre + half, 9);
  });

  it('a sitting ended by its clock ends at its deadline', () => {
    let s = newSitting({ id: 's', examId: 'e', attempt: 1, limitMs: 60_000, now: new Date(0) });
    s = started(s, 1, 1_000);
    const done = finished(s, 'time', 999_999);
    expect(done.finishedAt).toBe(new Date(61_000).toISOString());
    expect(done.submittedBy).toBe('time');
  });
});

describe('files', () => {
  const qs = [q(0, 'A', { 'Disease Group': '甲' }), q(1, 'AC', { 'Disease Group': '乙' })];

  async function sittingFile(name: string, answers: string[], s = spec()): Promise<SittingFile> {
    const id = await examIdFor(s);
    let sitting = started(
      newSitting({ id: `sit-${name}`, examId: id, attempt: 1, limitMs: null, now: new Date(0) }),
      1,
      0,
    );
    answers.forEach((a, i) => {
      for (const l of a) sitting = withLetter(sitting, qs[i], l, 1);
    });
    sitting = { ...finished(sitting, 'student', 2), name };
    return sittingFileOf({ id, spec: s, splitSha256: 'abc', questions: qs }, sitting, 'test');
  }

  it('an exam file reads back; a hand-edited spec or a missing field is refused', async () => {
    const s = spec();
    const file = examFileOf({
      examId: await examIdFor(s),
      spec: s,
      splitSha256: 'abc',
      questions: qs,
      generator: 'test',
    });
    expect((await parseExamFile(JSON.stringify(file))).questions).toHaveLength(2);
    await expect(
      parseExamFile(JSON.stringify({ ...file, spec: { ...s, seed: 9 } })),
    ).rejects.toThrow(/does not match its spec/);
    const broken = { ...file, questions: [{ ...file.questions[0], answer: 'a?' }] };
    await expect(parseExamFile(JSON.stringify(broken))).rejects.toThrow(/questions\[0\]\.answer/);
    await expect(parseExamFile('{"format":"cmexam-eval-results"}')).rejects.toThrow(
      /expected "cmexam-exam"/,
    );
  });

  it('a sitting file whose verdict disagrees with its letters is refused', async () => {
    const f = await sittingFile('甲', ['A', 'AC']);
    expect((await parseSittingFile(JSON.stringify(f))).records.map((r) => r.correct)).toEqual([
      true,
      true,
    ]);
    const edited = { ...f, records: [{ ...f.records[0], answer: 'B' }, f.records[1]] };
    await expect(parseSittingFile(JSON.stringify(edited))).rejects.toThrow(
      /records\[0\]\.correct: expected false/,
    );
  });

  it('a class refuses another exam, a damaged file and the same sitting twice', async () => {
    const a = await sittingFile('甲', ['A', 'AC']);
    const b = await sittingFile('乙', ['B', 'AC']);
    const other = await sittingFile('丙', ['A', 'A'], spec({ seed: 4 }));
    const files = [a, b, other, a].map((f, i) => ({ name: `${i}.json`, text: JSON.stringify(f) }));
    files.push({ name: 'junk.json', text: 'not json' });
    const check = await checkHandins(files, null, new Set());
    expect(check.accepted.map((x) => x.file.name)).toEqual(['甲', '乙']);
    expect(check.refused.map((r) => r.fileName)).toEqual(['2.json', '3.json', 'junk.json']);
    expect(check.refused[0].reason).toContain('another exam');
    expect(check.refused[1].reason).toContain('already handed in');
    expect(check.refused[2].reason).toContain('not valid JSON');
  });
});

describe('class statistics', () => {
  it('t quantiles and the median’s order-statistic rank', () => {
    expect(tQuantile95(1)).toBe(12.706);
    expect(tQuantile95(2)).toBe(4.303);
    expect(tQuantile95(35)).toBe(2.042); // the df = 30 value: never too narrow
    // n = 5: P(X ≤ 0) = 1/32 = 0.031 > 0.025 → no interval. n = 6: 1/64 = 0.016 → l = 1.
    expect(medianRank(5)).toBeNull();
    expect(medianRank(6)).toBe(1);
    // n = 10: P(X ≤ 1) = 11/1024 = 0.0107, P(X ≤ 2) = 56/1024 = 0.0547 → l = 2.
    expect(medianRank(10)).toBe(2);
  });

  it('mean with a t interval, median, spread, for 3 students', () => {
    // Scores 0.5, 0.75, 1: mean 0.75; s = √(((−.25)² + 0 + .25²)/2) = 0.25;
    // half-width 4.303 × 0.25 / √3 = 0.62108; the interval clipped to [0, 1].
    const s = summarise([0.5, 1, 0.75]);
    expect(s.mean).toBeCloseTo(0.75, 12);
    expect(s.sd).toBeCloseTo(0.25, 12);
    expect(s.meanCi!.low).toBeCloseTo(0.75 - (4.303 * 0.25) / Math.sqrt(3), 9);
    expect(s.meanCi!.high).toBe(1);
    expect(s.median).toBe(0.75);
    expect(s.medianCi).toBeNull();
  });

  it('per question (hardest first), per annotation, the distribution and the table', async () => {
    const qs = [q(0, 'A', { g: '甲' }), q(1, 'B', { g: '乙' })];
    const id = await examIdFor(spec());
    const file = (name: string, answers: [string, string]): SittingFile => ({
      format: 'cmexam-exam-sitting',
      version: 1,
      sitting_id: name,
      exam_id: id,
      spec: spec(),
      split_sha256: null,
      name,
      attempt: 1,
      started_at: null,
      finished_at: null,
      submitted_by: 'student',
      generator: 'test',
      records: qs.map((x, i) => ({
        question_id: x.id,
        row: x.row,
        gold: x.answer,
        answer: answers[i],
        correct: answers[i] === x.answer,
        flagged: false,
        ms: 1000,
      })),
    });
    // 甲: both right (1.0); 乙: question 0 only (0.5); 丙: none, question 1 unanswered (0).
    const c = classResults(
      id,
      [file('甲', ['A', 'B']), file('乙', ['A', 'C']), file('丙', ['C', ''])],
      qs,
    );
    expect(c.students).toBe(3);
    expect(c.mean).toBeCloseTo(0.5, 12);
    expect(c.median).toBe(0.5);
    // Question 1 right for 1 of 3, question 0 for 2 of 3: question 1 first.
    expect(c.questions.map((x) => [x.questionId, x.correct, x.n])).toEqual([
      ['custom/x/1', 1, 3],
      ['custom/x/0', 2, 3],
    ]);
    expect(c.annotations.g['甲']).toMatchObject({ n: 3, correct: 2 });
    expect(c.annotations.g['乙']).toMatchObject({ n: 3, correct: 1 });
    // 0 → bin 0–10%, 0.5 → 50–60%, 1.0 → 90–100%.
    expect(c.distribution.filter((d) => d.count).map((d) => [d.label, d.count])).toEqual([
      ['0–10%', 1],
      ['50–60%', 1],
      ['90–100%', 1],
    ]);
    expect(c.table.find((r) => r.name === '丙')).toMatchObject({
      correct: 0,
      unanswered: 1,
      ms: 2000,
    });

    // The class report follows the chosen language; names and ids stay as they are.
    const at = new Date('2024-01-02T03:04:05Z');
    const en = classToHtml(c, spec({ title: null }), at);
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('<h1>Exam on cmexam/val: class results</h1>');
    expect(en).toContain('<h2>Score distribution</h2>');
    expect(en).toContain('<h2>Questions, hardest first</h2>');
    const zh = classToHtml(c, spec({ title: null }), at, 'zh');
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain('<h1>cmexam/val 考试：班级成绩</h1>');
    expect(zh).toContain('<h2>分数分布</h2>');
    expect(zh).toContain('<h2>题目（由难到易）</h2>');
    expect(zh).toContain('丙');
    expect(zh).not.toContain('Score distribution');
  });
});

describe('people beside a model', () => {
  it('Cohen’s kappa on right/wrong, worked by hand', () => {
    // both 4, person only 1, model only 2, neither 3 (n = 10): p_o = 0.7; p_P = 0.5, p_M = 0.6;
    // p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = (0.7 − 0.5) / 0.5 = 0.4.
    expect(cohenKappa(4, 1, 2, 3)).toBeCloseTo(0.4, 12);
    // Perfect agreement on a mixed table → 1; always both right → undefined (null).
    expect(cohenKappa(5, 0, 0, 5)).toBeCloseTo(1, 12);
    expect(cohenKappa(7, 0, 0, 0)).toBeNull();
  });

  it('counts, agreement, McNemar for one person, and per annotation', () => {
    const pair = (personRight: boolean, modelRight: boolean, g: string) => ({
      questionId: `q${Math.random()}`,
      personRight,
      modelRight,
      annotations: { g },
    });
    const pairs = [
      pair(true, true, 'a'),
      pair(true, false, 'a'),
      pair(true, false, 'b'),
      pair(false, true, 'b'),
      pair(false, false, 'b'),
    ];
    const c = comparePersonModel(pairs, true);
    expect(c).toMatchObject({ both: 1, personOnly: 2, modelOnly: 1, neither: 1, n: 5 });
    expect(c.agreement).toBeCloseTo(2 / 5, 12);
    // McNemar exact: discordant 2 and 1 → two-sided 2·P(X ≤ 1 | n = 3) = 2·4/8 = 1.
    expect(c.mcnemarP).toBe(1);
    expect(c.person.accuracy).toBeCloseTo(3 / 5, 12);
    expect(c.model.accuracy).toBeCloseTo(2 / 5, 12);
    expect(c.annotations.g.a).toMatchObject({
      n: 2,
      person: { correct: 2 },
      model: { correct: 1 },
    });
    expect(comparePersonModel(pairs, false).mcnemarP).toBeNull();
  });
});
