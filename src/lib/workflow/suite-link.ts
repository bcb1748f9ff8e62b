/**
 * What opening a suite link does (eval/suite.ts): import every member's split, load the model
 * once, create every member's run (method `open` for open splits), remember the suite, then
 * drive the runs one after another. Each run is ordinary and resumable, so opening the link
 * again (or a reload) creates nothing new and goes on with the first run not done. A run that
 * stops (paused, cancelled, an error) stops the suite there.
 */
import type { RunRecord, SuiteRecord } from '../db/database';
import type { DatasetLinkRequest } from '../dataset/url-params';
import type { ItemKind } from '../dataset/types';
import { memberSpec, suiteIdFor, type SuiteMember } from '../eval/suite';
import type { RunSpec } from '../eval/types';
import { errorText, msg, type Text } from '../i18n/translate';

export interface SuiteLinkSteps {
  importSplit(request: DatasetLinkRequest): Promise<string | null>;
  /** Import a CMExam split for few-shot examples unless it is stored. */
  importCmexamSplit?(split: 'train' | 'val' | 'test', mirror: string | null): Promise<void>;
  /** The stored split's kind. */
  splitKind(splitId: string): ItemKind;
  ensureModel(spec: RunSpec): Promise<void>;
  createRun(spec: RunSpec): Promise<RunRecord>;
  /** Drive a run until it stops; the run record as it then is. */
  driveRun(runId: string): Promise<RunRecord | null>;
  saveSuite(suite: SuiteRecord): Promise<void>;
  /** The suite as stored before (its creation date is kept). */
  storedSuite(id: string): Promise<SuiteRecord | undefined>;
}

export type SuiteStage = 'dataset' | 'model' | 'create' | 'drive';

export type SuiteLinkResult =
  | { ok: true; suite: SuiteRecord; runs: RunRecord[]; stoppedAt: string | null }
  | { ok: false; stage: SuiteStage; error: Text; member?: string };

export async function followSuiteLink(
  link: { members: SuiteMember[]; autostart: boolean; query: string },
  steps: SuiteLinkSteps,
  onProgress: (stage: SuiteStage, member: number) => void = () => {},
): Promise<SuiteLinkResult> {
  let stage: SuiteStage = 'dataset';
  let member: string | undefined;
  try {
    const id = await suiteIdFor(link.members);
    const before = await steps.storedSuite(id);
    const now = new Date().toISOString();
    const suite: SuiteRecord = {
      id,
      createdAt: before?.createdAt ?? now,
      updatedAt: now,
      query: link.query,
      members: link.members.map((m) => ({ ref: m.ref, splitId: null, runId: null })),
    };
    const specs: RunSpec[] = [];
    for (const [i, m] of link.members.entries()) {
      member = m.ref;
      onProgress('dataset', i);
      const splitId = m.dataset ? await steps.importSplit(m.dataset) : (m.splitId ?? null);
      if (!splitId)
        return {
          ok: false,
          stage,
          member,
          error: msg('suiteImportFailed'),
        };
      suite.members[i].splitId = splitId;
      specs.push(memberSpec(m, splitId, steps.splitKind(splitId)));
    }
    member = undefined;
    // The examples' CMExam splits, once each, from the mirror of the first CMExam member.
    const mirror = link.members.find((m) => m.dataset?.kind === 'cmexam')?.dataset ?? null;
    for (const shots of new Set(specs.map((s) => s.shotsSplitId))) {
      const split = shots?.match(/^cmexam\/(train|val|test)$/)?.[1] as
        'train' | 'val' | 'test' | undefined;
      if (split && steps.importCmexamSplit)
        await steps.importCmexamSplit(split, mirror?.kind === 'cmexam' ? mirror.mirror : null);
    }
    stage = 'model';
    onProgress('model', 0);
    await steps.ensureModel(specs[0]);
    stage = 'create';
    const runs: RunRecord[] = [];
    for (const [i, spec] of specs.entries()) {
      member = link.members[i].ref;
      onProgress('create', i);
      const run = await steps.createRun(spec);
      suite.members[i].runId = run.id;
      runs.push(run);
    }
    member = undefined;
    await steps.saveSuite(suite);
    if (!link.autostart) return { ok: true, suite, runs, stoppedAt: null };
    stage = 'drive';
    for (const [i, run] of runs.entries()) {
      if (run.status === 'done') continue;
      member = link.members[i].ref;
      onProgress('drive', i);
      const after = await steps.driveRun(run.id);
      if (after) runs[i] = after;
      if (after?.status !== 'done') return { ok: true, suite, runs, stoppedAt: run.id };
    }
    return { ok: true, suite, runs, stoppedAt: null };
  } catch (err) {
    return {
      ok: false,
      stage,
      member,
      error: errorText(err),
    };
  }
}
