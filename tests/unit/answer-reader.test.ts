import { describe, expect, it } from 'vitest';
import { freshDb } from './support/db';
import type { AnswerRecord } from '../../src/lib/db/database';
import { StoredAnswerReader } from '../../src/lib/eval/answer-reader';

const answer = (questionId: string, status: AnswerRecord['status'] = 'parsed') =>
  ({ runId: 'r', questionId, status, correct: status === 'parsed' }) as unknown as AnswerRecord;

describe('following a run’s stored answers', () => {
  it('reads only what is new, in the run’s order, and comes back to an errored question', async () => {
    const db = freshDb();
    const ids = Array.from({ length: 100 }, (_, i) => `s/${i}`);
    await db.runQuestions.put({ runId: 'r', questionIds: ids });
    const reader = new StoredAnswerReader(db, 'r');
    expect(await reader.next()).toEqual([]);

    // 70 answered (more than one read-ahead of 64); question 2 failed in the engine.
    await db.answers.bulkPut(
      ids.slice(0, 70).map((id, i) => answer(id, i === 2 ? 'error' : 'parsed')),
    );
    const first = (await reader.next()).map((a) => a.questionId);
    expect(first).toEqual(ids.slice(0, 70).filter((_, i) => i !== 2));
    expect(await reader.next()).toEqual([]);

    // The run goes on past the error, then a resume answers question 2.
    await db.answers.bulkPut([answer('s/70'), answer('s/71')]);
    expect((await reader.next()).map((a) => a.questionId)).toEqual(['s/70', 's/71']);
    await db.answers.put(answer('s/2'));
    expect((await reader.next()).map((a) => a.questionId)).toEqual(['s/2']);
    expect(await reader.next()).toEqual([]);
  });

  it('a gap stops the reading there until it is filled', async () => {
    const db = freshDb();
    await db.runQuestions.put({ runId: 'r', questionIds: ['a', 'b', 'c'] });
    await db.answers.bulkPut([answer('a'), answer('c')]);
    const reader = new StoredAnswerReader(db, 'r');
    expect((await reader.next()).map((a) => a.questionId)).toEqual(['a']);
    await db.answers.put(answer('b'));
    expect((await reader.next()).map((a) => a.questionId)).toEqual(['b', 'c']);
  });
});
