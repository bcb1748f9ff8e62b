import Dexie from 'dexie';

/**
 * Re-read data when tables change, at most once per `minIntervalMs`.
 *
 * `liveQuery` re-runs its query and the page re-renders on every write: during a run that is
 * every answer, from the engine worker. This listens to Dexie's own change notification (which
 * also carries writes from workers and other tabs) and reloads on a throttle: the first change
 * after a quiet spell loads at once, later ones are folded into one load per interval, and the
 * last change is never dropped.
 */
export function watchTables(
  db: Dexie,
  tables: readonly string[],
  load: () => Promise<void>,
  minIntervalMs = 250,
): () => void {
  const prefixes = tables.map((t) => `idb://${db.name}/${t}/`);
  let lastStart = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let again = false;
  let stopped = false;

  const run = async (): Promise<void> => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    lastStart = performance.now();
    try {
      await load();
    } catch (err) {
      console.error(err);
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };

  const schedule = (): void => {
    if (timer !== null || stopped) return;
    const wait = Math.max(0, lastStart + minIntervalMs - performance.now());
    timer = setTimeout(() => {
      timer = null;
      void run();
    }, wait);
  };

  const onChange = (parts: Record<string, unknown>): void => {
    if (Object.keys(parts).some((k) => prefixes.some((p) => k.startsWith(p)))) schedule();
  };
  Dexie.on('storagemutated', onChange);
  void run();
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    Dexie.on('storagemutated').unsubscribe(onChange);
  };
}
