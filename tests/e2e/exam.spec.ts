import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Papa from 'papaparse';
import { expect, test, type Page } from '@playwright/test';
import { answersOf, DATA, expectRunDone, MIRROR } from './helpers';

// Exam mode with real browsers: people sit the questions a model sits, in their own profile.
test.describe.configure({ timeout: 180_000 });

const SHARED = process.env.CMEXAM_SHARED ?? resolve(import.meta.dirname, '../../../shared/cmexam');
/** Gold letters of val.csv by 0-based data row, read here as the independent oracle. */
const VAL_GOLD: string[] = Papa.parse<Record<string, string>>(
  readFileSync(resolve(SHARED, 'val.csv'), 'utf8'),
  {
    header: true,
    skipEmptyLines: true,
  },
).data.map((r) => letters(r.Answer ?? ''));
function letters(raw: string): string {
  return [...new Set(raw.toUpperCase().replace(/[^A-Z]/g, ''))].sort().join('');
}
/** The synthetic exam fixture's gold (tests/support/data-server.mjs), row by row. */
const FIXTURE_GOLD = Array.from({ length: 12 }, (_, i) =>
  i === 2 ? 'AC' : i === 5 ? 'BDE' : i === 9 ? 'AB' : 'ABCDE'[(i * 3) % 5],
);
const FIXTURE = `${DATA}/fixtures/exam.csv`;

const status = (page: Page) => page.getByTestId('exam-status');
const question = (page: Page) => page.getByTestId('exam-question');

async function expectExam(page: Page, value: string): Promise<void> {
  await expect(status(page)).toHaveAttribute('data-status', value, { timeout: 60_000 });
}

async function current(page: Page) {
  const q = question(page);
  return {
    id: (await q.getAttribute('data-question-id'))!,
    row: Number(await q.getAttribute('data-row')),
    letters: (await q.getAttribute('data-letters'))!,
    multi: (await q.getAttribute('data-multi')) === 'yes',
  };
}

/** The question ids in order, stepping through with the arrow key. */
async function questionOrder(page: Page, total: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < total; i++) {
    await expect(status(page)).toHaveAttribute('data-current', String(i));
    ids.push((await current(page)).id);
    await page.keyboard.press('ArrowRight');
  }
  return ids;
}

async function downloadJson<T>(page: Page, testId: string): Promise<T> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId(testId).click(),
  ]);
  return JSON.parse(readFileSync((await download.path())!, 'utf8')) as T;
}

interface SittingFileJson {
  format: string;
  exam_id: string;
  name: string;
  attempt: number;
  records: {
    question_id: string;
    row: number;
    gold: string;
    answer: string;
    correct: boolean;
    flagged: boolean;
    ms: number;
  }[];
}

test('a 10-question sitting from a link, by keyboard only, survives a reload; the result and the file are what was typed', async ({
  page,
  browser,
}) => {
  const link = `/?mode=exam&dataset=cmexam&split=val&mirror=${encodeURIComponent(MIRROR)}&subset=random&n=10&seed=3`;
  await page.goto(link);
  await expectExam(page, 'ready');
  await expect(status(page)).toHaveAttribute('data-total', '10');
  const examId = (await status(page).getAttribute('data-exam-id'))!;
  expect(examId).toMatch(/^[0-9a-f]{16}$/);
  await page.keyboard.press('Enter'); // the Start button has the focus
  const typed = new Map<string, { row: number; answer: string }>();
  for (let i = 0; i < 10; i++) {
    const q = await current(page);
    // A letter of the question's own, chosen by position (so some are right, some wrong).
    const answer = q.letters[(i * 2) % q.letters.length];
    await page.keyboard.press(answer.toLowerCase());
    typed.set(q.id, { row: q.row, answer });
    await expect(status(page)).toHaveAttribute('data-answered', String(i + 1));
    if (i === 4) {
      // Reloaded after the 5th answer: the same sitting, at the same question, nothing lost.
      await page.reload();
      await expectExam(page, 'sitting');
      await expect(status(page)).toHaveAttribute('data-current', '4');
      await expect(status(page)).toHaveAttribute('data-answered', '5');
      await expect(page.getByTestId('exam-option').filter({ hasText: answer })).toHaveAttribute(
        'data-selected',
        'yes',
      );
    }
    await page.keyboard.press('Enter');
  }
  // Enter on the last question leads to Finish; Enter again finishes (all answered).
  await expect(page.getByTestId('exam-finish')).toBeFocused();
  await page.keyboard.press('Enter');
  await expectExam(page, 'finished');
  const expectedCorrect = [...typed.values()].filter((t) => t.answer === VAL_GOLD[t.row]).length;
  const result = page.getByTestId('exam-result');
  await expect(result).toHaveAttribute('data-correct', String(expectedCorrect));
  await expect(result).toHaveAttribute('data-total', '10');
  await expect(result).toHaveAttribute('data-unanswered', '0');

  const file = await downloadJson<SittingFileJson>(page, 'export-sitting');
  expect(file.format).toBe('cmexam-exam-sitting');
  expect(file.exam_id).toBe(examId);
  expect(file.records).toHaveLength(10);
  for (const r of file.records) {
    expect(r.answer).toBe(typed.get(r.question_id)?.answer);
    expect(r.gold).toBe(VAL_GOLD[r.row]);
    expect(r.correct).toBe(r.answer === VAL_GOLD[r.row]);
  }
  const order = file.records.map((r) => r.question_id);

  // The same link in a fresh profile: the same exam, the same questions in the same order.
  const other = await browser.newContext();
  const page2 = await other.newPage();
  await page2.goto(link);
  await expectExam(page2, 'ready');
  await expect(status(page2)).toHaveAttribute('data-exam-id', examId);
  await page2.getByTestId('exam-start').click();
  expect(await questionOrder(page2, 10)).toEqual(order);
  await other.close();
});

test('multi-answer questions take several letters; flags show in the navigator; unanswered questions need confirming', async ({
  page,
}) => {
  await page.goto(`/?mode=exam&dataset=${encodeURIComponent(FIXTURE)}&split=exam-fixture`);
  await expectExam(page, 'ready');
  await expect(status(page)).toHaveAttribute('data-total', '12');
  await page.getByTestId('exam-start').click();
  // Question 3 (row 2) is multi-answer: it says so, and takes A and C together.
  await page.getByTestId('exam-navigator').getByTestId('exam-nav-item').nth(2).click();
  await expect(question(page)).toHaveAttribute('data-multi', 'yes');
  await expect(page.getByTestId('exam-multi')).toBeVisible();
  await page.keyboard.press('a');
  await page.keyboard.press('c');
  await expect(page.locator('[data-testid="exam-option"][data-selected="yes"]')).toHaveCount(2);
  // Pressing a letter again takes it back out, and in again.
  await page.keyboard.press('c');
  await expect(page.locator('[data-testid="exam-option"][data-selected="yes"]')).toHaveCount(1);
  await page.keyboard.press('c');
  // Flag question 4 for review.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('f');
  const nav = page.getByTestId('exam-nav-item');
  await expect(nav.nth(3)).toHaveAttribute('data-flagged', 'yes');
  await expect(nav.nth(2)).toHaveAttribute('data-state', 'answered');
  await expect(nav.nth(3)).toHaveAttribute('data-state', 'unanswered');
  // One more answer (row 0, gold A: right), then finish with 10 unanswered.
  await nav.nth(0).click();
  await page.keyboard.press('a');
  await page.getByTestId('exam-finish').click();
  await expect(page.getByTestId('exam-finish-confirm')).toBeVisible();
  await expectExam(page, 'sitting');
  await page.getByTestId('exam-finish-confirm').click();
  await expectExam(page, 'finished');
  // Row 0: A = A right; row 2: AC = AC right; 10 unanswered.
  await expect(page.getByTestId('exam-result')).toHaveAttribute('data-correct', '2');
  await expect(page.getByTestId('exam-result')).toHaveAttribute('data-unanswered', '10');
  await expect(page.getByTestId('exam-breakdown').first()).toBeVisible();
  // A finished sitting is read-only; a new attempt is numbered apart.
  await page.getByTestId('exam-new-attempt').click();
  await expectExam(page, 'ready');
  await expect(status(page)).toHaveAttribute('data-attempt', '2');
});

test('a 1-minute time limit warns before the end and submits the sitting as it stands', async ({
  page,
}) => {
  await page.clock.install();
  await page.goto(
    `/?mode=exam&dataset=${encodeURIComponent(FIXTURE)}&split=exam-fixture&n=6&time=1`,
  );
  await expectExam(page, 'ready');
  await expect(page.getByTestId('exam-timing')).toBeVisible();
  await page.getByTestId('exam-start').click();
  await page.keyboard.press('d');
  await page.keyboard.press('Enter');
  await page.keyboard.press('d');
  await expect(status(page)).toHaveAttribute('data-answered', '2');
  // 45 s in, 15 s left: the warning (at 20 s before the end) offers to extend.
  await page.clock.fastForward(45_000);
  await expect(page.getByTestId('exam-time-warning')).toBeVisible();
  await expect(page.getByTestId('exam-extend')).toBeVisible();
  await page.clock.fastForward(20_000);
  await expectExam(page, 'finished');
  await expect(page.getByTestId('exam-result')).toHaveAttribute('data-unanswered', '4');
  await expect(page.getByTestId('exam-result')).toHaveAttribute('data-total', '6');
});

test('an exam exported as a file opens in a fresh profile with no network and no stored split, with the same questions', async ({
  page,
  browser,
}) => {
  // The teacher: the split imported, the exam built on the Exam step.
  await page.goto(`/?dataset=cmexam&split=val&mirror=${encodeURIComponent(MIRROR)}`);
  await expect(page.getByTestId('dataset-status')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
  // The teacher's mirror setting: links they copy download from it.
  await page.evaluate((m) => localStorage.setItem('cmexam.mirror', m), MIRROR);
  await page.goto('/#exam');
  await page.getByTestId('exam-form-split').selectOption('cmexam/val');
  await page.getByTestId('exam-form-n').fill('5');
  await page.getByTestId('exam-form-seed').fill('7');
  await page.getByTestId('exam-form-title').fill('合成小测');
  await page.getByTestId('exam-copy-link').click();
  const link = (await page.getByTestId('exam-link').textContent())!;
  const examFile = await downloadJson<{ exam_id: string; questions: { question_id: string }[] }>(
    page,
    'exam-export-file',
  );
  expect(examFile.questions).toHaveLength(5);

  // A student with no network at all: only the app's own origin answers.
  const student = await browser.newContext();
  const requests: string[] = [];
  await student.route(/127\.0\.0\.1:4174/, (route) => {
    requests.push(route.request().url());
    return route.abort();
  });
  const page2 = await student.newPage();
  await page2.goto('/#exam');
  await page2.getByTestId('exam-file').setInputFiles({
    name: 'exam.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(examFile)),
  });
  await expectExam(page2, 'ready');
  await expect(status(page2)).toHaveAttribute('data-exam-id', examFile.exam_id);
  await page2.getByTestId('exam-start').click();
  expect(await questionOrder(page2, 5)).toEqual(examFile.questions.map((q) => q.question_id));
  expect(requests).toEqual([]);
  await student.close();

  // The link to the same exam is the same exam, with the same questions.
  const third = await browser.newContext();
  const page3 = await third.newPage();
  await page3.goto(link);
  await expectExam(page3, 'ready');
  await expect(status(page3)).toHaveAttribute('data-exam-id', examFile.exam_id);
  await page3.getByTestId('exam-start').click();
  expect(await questionOrder(page3, 5)).toEqual(examFile.questions.map((q) => q.question_id));
  await third.close();
});

test('three sittings make a class; a sitting of another exam and the same sitting twice are refused; a model run on the same questions appears beside both', async ({
  page,
  browser,
}) => {
  // A tiny-model run on the same questions: all 12 fixture questions, multi-answer included.
  await page.goto(
    `/?dataset=${encodeURIComponent(FIXTURE)}&split=exam-fixture&model=demo:tiny-random&method=choice&prompt=zero-shot&multi=constrained&autostart=1`,
  );
  const runId = await expectRunDone(page, 12);
  const model = new Map((await answersOf(page, runId)).map((a) => [a.questionId, a.correct]));

  // Three attempts by three people, each answering every question with one fixed letter.
  const examLink = `/?mode=exam&dataset=${encodeURIComponent(FIXTURE)}&split=exam-fixture`;
  await page.goto(examLink);
  const files: SittingFileJson[] = [];
  for (const [name, letter] of [
    ['甲', 'A'],
    ['乙', 'B'],
    ['丙', 'D'],
  ] as const) {
    await expectExam(page, 'ready');
    await page.getByTestId('exam-name').fill(name);
    await page.getByTestId('exam-name').blur();
    await page.getByTestId('exam-start').click();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press(letter.toLowerCase());
      await page.keyboard.press('ArrowRight');
    }
    await page.getByTestId('exam-finish').click();
    await expectExam(page, 'finished');
    if (files.length === 0) {
      // The first sitting beside the model: counts over its 12 questions.
      const pm = page.getByTestId('person-model');
      await expect(pm).toBeVisible();
      const expected = { both: 0, personOnly: 0, modelOnly: 0, neither: 0 };
      FIXTURE_GOLD.forEach((gold, row) => {
        const person = gold === letter;
        const m = model.get(`custom/exam-fixture/${row}`)!;
        if (person && m) expected.both++;
        else if (person) expected.personOnly++;
        else if (m) expected.modelOnly++;
        else expected.neither++;
      });
      await expect(pm).toHaveAttribute('data-both', String(expected.both));
      await expect(pm).toHaveAttribute('data-person-only', String(expected.personOnly));
      await expect(pm).toHaveAttribute('data-model-only', String(expected.modelOnly));
      await expect(pm).toHaveAttribute('data-neither', String(expected.neither));
    }
    files.push(await downloadJson<SittingFileJson>(page, 'export-sitting'));
    await page.getByTestId('exam-new-attempt').click();
  }
  expect(files.map((f) => f.name)).toEqual(['甲', '乙', '丙']);
  // Another exam (the first 4 questions only) gives a sitting the class must refuse.
  await page.goto(`${examLink}&n=4`);
  await expectExam(page, 'ready');
  await page.getByTestId('exam-start').click();
  await page.getByTestId('exam-finish').click();
  await page.getByTestId('exam-finish-confirm').click();
  await expectExam(page, 'finished');
  const otherExam = await downloadJson<SittingFileJson>(page, 'export-sitting');

  // The teacher, in another profile that holds the model run too.
  const teacher = await browser.newContext();
  const t = await teacher.newPage();
  await t.goto(
    `/?dataset=${encodeURIComponent(FIXTURE)}&split=exam-fixture&model=demo:tiny-random&method=choice&prompt=zero-shot&multi=constrained&autostart=1`,
  );
  await expectRunDone(t, 12);
  await t.goto('/#exam');
  const asFile = (f: object, name: string) => ({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(f)),
  });
  await t
    .getByTestId('class-import')
    .setInputFiles([
      asFile(files[0], 'a.json'),
      asFile(files[1], 'b.json'),
      asFile(files[2], 'c.json'),
      asFile(otherExam, 'other.json'),
    ]);
  const cls = t.getByTestId('class-result');
  await expect(cls).toHaveAttribute('data-students', '3');
  // Each student's score: the rows whose gold is exactly their letter, over 12.
  const scores = (['A', 'B', 'D'] as const).map(
    (l) => FIXTURE_GOLD.filter((g) => g === l).length / 12,
  );
  const mean = (scores[0] + scores[1] + scores[2]) / 3;
  expect(Number(await cls.getAttribute('data-mean'))).toBeCloseTo(mean, 12);
  await expect(t.getByTestId('class-problems')).toContainText('other.json');
  await expect(t.getByTestId('class-problems')).toContainText('another exam');
  // The same sitting again is refused with the reason.
  await t.getByTestId('class-import').setInputFiles([asFile(files[1], 'b-again.json')]);
  await expect(t.getByTestId('class-problems')).toContainText('already handed in');
  await expect(cls).toHaveAttribute('data-students', '3');
  // The class beside the model: 3 × 12 (student, question) pairs.
  const pm = t.getByTestId('person-model');
  const counts = await Promise.all(
    ['data-both', 'data-person-only', 'data-model-only', 'data-neither'].map(async (a) =>
      Number(await pm.getAttribute(a)),
    ),
  );
  expect(counts.reduce((s, c) => s + c, 0)).toBe(36);
  await teacher.close();
});
