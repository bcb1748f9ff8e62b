// "Merge and evaluate": the merge, its base and each fine-tune each get a run of one spec (the
// same questions, prompt and method; only the model differs), so the report can pair every
// parent's answers with the merge's (McNemar). Pure: the plan; workflow/merge-evaluate.ts
// drives it and report/service.ts compares.

import type { MergeEvaluationRecord, MergedModelRecord } from '../db/database';
import { MERGED_PREFIX } from '../engines/model-ref';
import { canonicalJson, canonicalSpec } from '../eval/spec';
import type { RunSpec } from '../eval/types';
import { shortSha256 } from '../hash';

/** The spec of one member's run: the evaluation's spec with that member's model (wllama). */
export function memberRunSpec(spec: RunSpec, ref: string): RunSpec {
  const { modelUrl: _u, modelLibUrl: _l, ...rest } = spec;
  return canonicalSpec({ ...rest, model: ref, engine: 'wllama' });
}

/**
 * The evaluation of a merge on `template`'s questions: the merge first, then the base, then the
 * fine-tunes. Its id is a hash of the merge and the spec, so asking again finds the same one.
 */
export async function planMergeEvaluation(
  merged: MergedModelRecord,
  template: RunSpec,
  now: string = new Date().toISOString(),
): Promise<MergeEvaluationRecord> {
  const mergeRef = `${MERGED_PREFIX}${merged.id}`;
  const spec = memberRunSpec(template, mergeRef);
  return {
    id: await shortSha256(canonicalJson({ merged: merged.id, spec })),
    mergedId: merged.id,
    createdAt: now,
    spec,
    members: [
      { role: 'merge', ref: mergeRef, label: merged.label, runId: null },
      ...merged.parents.map((p) => ({
        role: p.role,
        ref: p.ref,
        label: p.name,
        runId: null,
      })),
    ],
  };
}
