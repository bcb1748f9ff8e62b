// The app's service worker, built by vite-plugin-pwa (injectManifest) with Workbox's precache:
// - the app shell is precached at install, so the app opens offline after one visit;
// - large engine files (wasm, web-llm, the demo model) are cached the first time they are used;
// - every same-origin response it serves gets COOP/COEP (cross-origin isolation on hosts that
//   cannot send headers); requests to other sites (datasets, models) go to the network untouched;
// - a new version waits until the page asks for it (never in the middle of a run or a sitting).
import { cleanupOutdatedCaches, matchPrecache, precache } from 'workbox-precaching';
import {
  hasIsolationHeaders,
  withIsolationHeaders,
  type WorkerIsolationReport,
} from '../src/lib/offline/isolation';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: (string | { url: string; revision: string | null })[];
};

/** A short hash of this version's file list: engine files cached by older versions are dropped. */
function versionOf(manifest: unknown): string {
  let h = 0;
  for (const ch of JSON.stringify(manifest)) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return (h >>> 0).toString(16);
}

const RUNTIME_PREFIX = 'cmexam-engine-files-';
// Workbox injects the file list once, here.
const MANIFEST = self.__WB_MANIFEST;
const RUNTIME_CACHE = RUNTIME_PREFIX + versionOf(MANIFEST);

precache(MANIFEST);
cleanupOutdatedCaches();

self.addEventListener('activate', (event) => {
  // The first version controls the page at once, so that the page can reload isolated.
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            // The hand-written worker before this one, and older versions' engine files.
            .filter(
              (k) =>
                k.startsWith('cmexam-app-') ||
                (k.startsWith(RUNTIME_PREFIX) && k !== RUNTIME_CACHE),
            )
            .map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  const data = event.data as { type?: string } | null;
  if (data?.type === 'SKIP_WAITING') void self.skipWaiting();
  if (data?.type === 'ISOLATION_REPORT') {
    const source = event.source as Client | null;
    const report: WorkerIsolationReport = (source && reports.get(source.id)) ?? null;
    event.ports[0]?.postMessage(report);
  }
});

/** Per page (client id): whether its navigation response needed the headers added. */
const reports = new Map<string, 'added' | 'host'>();
const MAX_REPORTS = 200;

async function navigate(event: FetchEvent): Promise<Response> {
  let response: Response;
  try {
    // A fresh page when online (a new version is noticed), the precached shell offline.
    response = await fetch(event.request);
  } catch (error) {
    const shell = await matchPrecache(new URL('index.html', self.registration.scope).href);
    if (!shell) throw error;
    response = shell;
  }
  if (event.resultingClientId) {
    // Pages long closed are forgotten, oldest first.
    if (reports.size >= MAX_REPORTS) reports.delete(reports.keys().next().value!);
    reports.set(event.resultingClientId, hasIsolationHeaders(response.headers) ? 'host' : 'added');
  }
  return withIsolationHeaders(response);
}

async function asset(event: FetchEvent): Promise<Response> {
  const request = event.request;
  const precached = await matchPrecache(request.url);
  if (precached) return precached;
  const cache = await caches.open(RUNTIME_CACHE);
  const hit = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(request);
  // Whole files only (a range answer cannot be stored); stored while the page reads it.
  if (response.status === 200 && response.type === 'basic') {
    event.waitUntil(cache.put(request, response.clone()));
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (!url.href.startsWith(self.registration.scope)) return;
  if (request.mode === 'navigate') event.respondWith(navigate(event));
  else event.respondWith(asset(event).then(withIsolationHeaders));
});
