/**
 * What opening a run link does, in order: import the split (unless stored), import the few-shot
 * examples' CMExam split when the link names one, load the run's model (unless it is the
 * loaded one), create the run (or find it), and start it when the link says `autostart=1`.
 * Each step goes through the app's own clients and states, given as `RunLinkSteps`, so this
 * chain lives here rather than in a component and is tested without a page.
 */
import type { RunRecord } from '../db/database';
import type { DatasetLinkRequest } from '../dataset/url-params';
import type { RunLink } from '../eval/link';
import type { RunSpec } from '../eval/types';

export interface RunLinkSteps {
  /** Import the link's split unless it is stored; its id, or null when it could not be. */
  importSplit(request: DatasetLinkRequest): Promise<string | null>;
  /** Import a CMExam split (the examples' split) from the link's mirror unless it is stored. */
  importCmexamSplit(split: 'train' | 'val' | 'test', mirror: string | null): Promise<void>;
  /** Load the run's model unless it is loaded; throws, naming the model, when it cannot be. */
  ensureModel(spec: RunSpec): Promise<void>;
  createRun(spec: RunSpec): Promise<RunRecord>;
  driveRun(runId: string): Promise<void>;
}

export type RunLinkStage = 'dataset' | 'shots' | 'model' | 'create' | 'drive';

/** The outcome of a run link: the run it set up, or why it could not. */
export type RunLinkResult =
  { ok: true; run: RunRecord } | { ok: false; stage: RunLinkStage; error: string };

/** Follow a parsed run link (`link.spec` and `link.dataset` set: a link without problems). */
export async function followRunLink(
  link: RunLink & { spec: RunSpec; dataset: DatasetLinkRequest },
  steps: RunLinkSteps,
  onStage: (stage: RunLinkStage) => void = () => {},
): Promise<RunLinkResult> {
  let stage: RunLinkStage = 'dataset';
  const at = (s: RunLinkStage) => {
    stage = s;
    onStage(s);
  };
  try {
    at('dataset');
    const splitId = await steps.importSplit(link.dataset);
    if (!splitId)
      return {
        ok: false,
        stage,
        error: 'The dataset in the link could not be imported (see the Dataset step).',
      };
    const spec: RunSpec = { ...link.spec, splitId };
    const shots = spec.shotsSplitId?.match(/^cmexam\/(train|val|test)$/)?.[1] as
      'train' | 'val' | 'test' | undefined;
    if (shots) {
      at('shots');
      // The link asked for these examples: CMExam's own split, from the link's mirror (or the
      // one set in this browser when the evaluated split is a file of its own).
      await steps.importCmexamSplit(
        shots,
        link.dataset.kind === 'cmexam' ? link.dataset.mirror : null,
      );
    }
    at('model');
    await steps.ensureModel(spec);
    at('create');
    const run = await steps.createRun(spec);
    if (link.autostart && run.status !== 'done') {
      at('drive');
      await steps.driveRun(run.id);
    }
    return { ok: true, run };
  } catch (err) {
    return { ok: false, stage, error: err instanceof Error ? err.message : String(err) };
  }
}
