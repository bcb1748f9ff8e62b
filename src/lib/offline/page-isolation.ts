import { isolationVia, type IsolationVia, type WorkerIsolationReport } from './isolation';

/** Ask the controlling service worker whether it added the isolation headers to this page. */
function askWorker(): Promise<WorkerIsolationReport> {
  const controller = navigator.serviceWorker?.controller;
  if (!controller) return Promise.resolve(null);
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), 2000);
    channel.port1.onmessage = (e) => {
      clearTimeout(timer);
      resolve((e.data as WorkerIsolationReport) ?? null);
    };
    controller.postMessage({ type: 'ISOLATION_REPORT' }, [channel.port2]);
  });
}

/** Whether this page is cross-origin isolated, and whether by the host's headers or the worker. */
export async function pageIsolation(): Promise<{ isolated: boolean; via: IsolationVia }> {
  const isolated = globalThis.crossOriginIsolated === true;
  return { isolated, via: isolationVia(isolated, isolated ? await askWorker() : null) };
}
