/**
 * Drives a Hi-Merging search (merge/hi-merging.ts): asks the procedure for the next point, merges
 * it (the base too, written as every point is), evaluates the merged model with a run, records
 * the score, removes the point's merged file (only the final merge is kept; a point can be merged
 * again from its recipe; each merge records the search and point that made it), and goes on until
 * the procedure returns its result, then writes the final merge. The search record is saved after
 * every step, and every score is a stored run's, so following it again (a reload) asks the
 * procedure again with the same scores, and the run of a point cut short goes on where it stopped.
 */
import type { MergedModelRecord, MergeSearchRecord } from '../db/database';
import { MERGED_PREFIX } from '../engines/model-ref';
import { hiMergingRecipe, nextHiMergingStep, type HiMergingPoint } from '../merge/hi-merging';
import type { MergeRecipe } from '../merge/recipe';
import { messageOf } from '../i18n/translate';

export interface HiMergingSteps {
  /**
   * Merge a recipe into a stored merged model (waiting for another merge to finish); `refs` name
   * the parents as runs do (the recipe's names are for people). Throws with the reason.
   */
  merge(
    recipe: MergeRecipe,
    label: string,
    refs: { base: string; models: string[] },
    madeFor: { search: string; point: string },
  ): Promise<{ record: MergedModelRecord; existed: boolean }>;
  /** The merged models still stored that this search made (`madeFor.search`), with their point. */
  leftovers(): Promise<{ id: string; point: string }[]>;
  /** Run a model on the search's questions: its run and accuracy, or null when it did not finish. */
  evaluate(ref: string): Promise<{ runId: string; score: number } | null>;
  /** Remove a point's merged model (its record and file); one already gone is no error. */
  discard(mergedId: string): Promise<void>;
  save(search: MergeSearchRecord): Promise<void>;
  /** True once the user asked the search to stop. */
  stopped(): boolean;
}

export async function followHiMerging(
  start: MergeSearchRecord,
  steps: HiMergingSteps,
  onPoint: (point: HiMergingPoint, search: MergeSearchRecord) => void = () => {},
): Promise<MergeSearchRecord> {
  let search: MergeSearchRecord = { ...start, status: 'running', error: null, errorMessage: null };
  const names = { base: search.base.name, models: search.models.map((m) => m.name) };
  const save = async (patch: Partial<MergeSearchRecord>) => {
    search = { ...search, ...patch, updatedAt: new Date().toISOString() };
    await steps.save(search);
    return search;
  };
  const refsOf = (models: readonly number[]) => ({
    base: search.base.ref,
    models: models.map((j) => search.models[j].ref),
  });
  // A tab closed between a point's score and its merge's removal (or between a merge and its
  // point's record) leaves a merge of this search behind: each is removed once its point is
  // scored, all but the final one when the search ends.
  const sweep = async (keep: (left: { id: string; point: string }) => boolean) => {
    for (const left of await steps.leftovers()) if (!keep(left)) await steps.discard(left.id);
  };
  const scored = () => new Set(search.points.flatMap((p) => (p.score === null ? [] : [p.key])));
  try {
    await save({});
    const already = scored();
    await sweep((left) => !already.has(left.point));
    for (;;) {
      if (steps.stopped()) return await save({ status: 'stopped' });
      const scores = new Map(
        search.points.flatMap((p) => (p.score === null ? [] : [[p.key, p.score] as const])),
      );
      const next = nextHiMergingStep(search.config, scores);
      if (next.kind === 'done') {
        const recipe = hiMergingRecipe(next.result.final, names, search.seed, search.outType);
        const { record } = await steps.merge(
          recipe,
          `hi-merging-${search.id.slice(0, 8)}`,
          refsOf(next.result.final.models),
          { search: search.id, point: 'final' },
        );
        const done = await save({ status: 'done', result: next.result, finalMergedId: record.id });
        await sweep((left) => left.id === record.id);
        return done;
      }
      const point = next.point;
      onPoint(point, search);
      const recipe = hiMergingRecipe(point.params, names, search.seed, search.outType);
      const { record, existed } = await steps.merge(
        recipe,
        `hi-merging ${point.key}`,
        refsOf(point.params.models),
        { search: search.id, point: point.key },
      );
      // A merge the user had already made stays; the search's own are removed once scored
      // (also one it made before a reload: its record, or older ones its point, says so).
      const before = search.points.find((p) => p.key === point.key);
      const own =
        !existed ||
        record.madeFor?.search === search.id ||
        (before?.mergedId === record.id && before.own === true);
      if (steps.stopped()) {
        if (own) await steps.discard(record.id);
        return await save({ status: 'stopped' });
      }
      const entry = {
        key: point.key,
        stage: point.stage,
        about: point.about,
        mergedId: record.id,
        own,
        runId: null as string | null,
        score: null as number | null,
      };
      await save({ points: [...search.points.filter((p) => p.key !== point.key), entry] });
      const evaluated = await steps.evaluate(`${MERGED_PREFIX}${record.id}`);
      if (!evaluated) {
        // Stopped by the user: the point's merge goes; cut short otherwise (a closed tab): it
        // stays, recorded, and goes when the point is scored.
        if (steps.stopped() && own) await steps.discard(record.id);
        return await save({ status: 'stopped' });
      }
      await save({
        points: search.points.map((p) =>
          p.key === point.key ? { ...p, runId: evaluated.runId, score: evaluated.score } : p,
        ),
      });
      if (own) await steps.discard(record.id);
    }
  } catch (err) {
    return await save({
      status: steps.stopped() ? 'stopped' : 'error',
      error: err instanceof Error ? err.message : String(err),
      errorMessage: messageOf(err),
    });
  }
}
