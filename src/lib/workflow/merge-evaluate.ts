/**
 * What "Merge and evaluate" does once the merge is written (merge/evaluation.ts): create every
 * member's run (the merge's, the base's, each fine-tune's), remember the evaluation, then load
 * each member's model and drive its run, one after another. Each run is ordinary and resumable,
 * so following the evaluation again (a reload, "Continue") creates nothing new and goes on with
 * the first run not done. A run that stops (paused, cancelled, an error) stops the evaluation
 * there; a model that cannot be loaded (a local file not picked in this visit) stops it too,
 * naming the model.
 */
import type { MergeEvaluationRecord, RunRecord } from '../db/database';
import { memberRunSpec } from '../merge/evaluation';
import type { RunSpec } from '../eval/types';
import { errorText, type Text } from '../i18n/translate';

export interface MergeEvaluationSteps {
  ensureModel(spec: RunSpec): Promise<void>;
  createRun(spec: RunSpec): Promise<RunRecord>;
  /** Drive a run until it stops; the run record as it then is. */
  driveRun(runId: string): Promise<RunRecord | null>;
  save(evaluation: MergeEvaluationRecord): Promise<void>;
}

export type MergeEvaluationResult =
  | { ok: true; evaluation: MergeEvaluationRecord; stoppedAt: string | null }
  | { ok: false; evaluation: MergeEvaluationRecord; member: string; error: Text };

export async function followMergeEvaluation(
  planned: MergeEvaluationRecord,
  steps: MergeEvaluationSteps,
  onMember: (index: number) => void = () => {},
): Promise<MergeEvaluationResult> {
  let evaluation = planned;
  const runs: RunRecord[] = [];
  for (const member of evaluation.members) {
    try {
      runs.push(await steps.createRun(memberRunSpec(evaluation.spec, member.ref)));
    } catch (err) {
      return { ok: false, evaluation, member: member.label, error: errorText(err) };
    }
  }
  evaluation = {
    ...evaluation,
    members: evaluation.members.map((m, i) => ({ ...m, runId: runs[i].id })),
  };
  await steps.save(evaluation);
  for (const [i, member] of evaluation.members.entries()) {
    if (runs[i].status === 'done') continue;
    onMember(i);
    try {
      await steps.ensureModel(runs[i].spec);
    } catch (err) {
      return { ok: false, evaluation, member: member.label, error: errorText(err) };
    }
    const after = await steps.driveRun(runs[i].id);
    if (after?.status !== 'done') return { ok: true, evaluation, stoppedAt: member.ref };
  }
  return { ok: true, evaluation, stoppedAt: null };
}
