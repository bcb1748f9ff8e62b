// Exposes window.harnessBench.run(options) for scripts/bench/harness.mjs. All the work is in a
// module worker, as the app's run loop is (it lives in the engine worker).
window.harnessBench = {
  run: (options) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./harness.worker.js', import.meta.url), {
        type: 'module',
        name: 'bench-harness',
      });
      worker.onmessage = ({ data }) => {
        worker.terminate();
        if (data.ok) resolve(data.result);
        else reject(new Error(data.error));
      };
      worker.onerror = (e) => {
        worker.terminate();
        reject(new Error(`harness bench worker failed: ${e.message}`));
      };
      worker.postMessage(options);
    }),
};
