/** Web Lock held by the tab (engine worker) that drives a run; other tabs only watch it. */
export const runLockName = (runId: string) => `cmexam-run:${runId}`;
