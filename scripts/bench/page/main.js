// Exposes window.runBench(options) for the bench driver; the work runs in a module worker, as the
// app's ingest does, so that the baseline pays the same worker-side IndexedDB costs.
window.runBench = (options) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./bare.worker.js', import.meta.url), {
      type: 'module',
      name: 'bench-bare',
    });
    worker.onmessage = ({ data }) => {
      worker.terminate();
      if (data.ok) resolve(data.result);
      else reject(new Error(data.error));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(`bench worker failed: ${e.message}`));
    };
    worker.postMessage(options);
  });
