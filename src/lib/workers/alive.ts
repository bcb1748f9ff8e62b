/**
 * Worker side of crash detection: take a Web Lock and hold it for the rest of the worker's
 * life. When the worker dies (crash, out of memory, `close()`), the browser releases the lock,
 * which is how the page learns of a death that raised no error event. Resolves once held.
 */
export function holdAliveLock(name: string): Promise<void> {
  return new Promise((held) => {
    void navigator.locks.request(name, () => {
      held();
      return new Promise<never>(() => {});
    });
  });
}
