/** Web Lock held by the tab (engine worker) that drives a run; other tabs only watch it. */
export const RUN_LOCK_PREFIX = 'cmexam-run:';
export const runLockName = (runId: string) => `${RUN_LOCK_PREFIX}${runId}`;
