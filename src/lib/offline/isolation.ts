/**
 * Cross-origin isolation without server headers (the coi-serviceworker technique): the app's
 * service worker adds COOP/COEP to the responses it serves, and a page that is controlled but
 * not yet isolated reloads once. Pure decisions here; the worker and the page wire them up.
 */

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

/** Whether a response already carries both isolation headers (the host sent them). */
export function hasIsolationHeaders(headers: Headers): boolean {
  return Object.entries(ISOLATION_HEADERS).every(
    ([name, value]) => headers.get(name)?.toLowerCase() === value,
  );
}

/**
 * The same response with the isolation headers set. Opaque responses (status 0) cannot be
 * rebuilt and are returned as they are.
 */
export function withIsolationHeaders(response: Response): Response {
  if (response.status === 0 || hasIsolationHeaders(response.headers)) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/** How the page became cross-origin isolated, as the device card shows it. */
export type IsolationVia = 'headers' | 'service-worker' | 'none';

/**
 * `added`: the worker set the headers on this page's navigation response; `host`: the host
 * sent them itself; null when the page is not controlled or the worker does not know.
 */
export type WorkerIsolationReport = 'added' | 'host' | null;

export function isolationVia(isolated: boolean, report: WorkerIsolationReport): IsolationVia {
  if (!isolated) return 'none';
  return report === 'added' ? 'service-worker' : 'headers';
}

/** Session flag: the page has already reloaded once to become isolated (no reload loops). */
export const COI_RELOAD_FLAG = 'cmexam.coi-reloaded';

export interface IsolationState {
  isolated: boolean;
  /** The browser has service workers (not in some private windows, not over plain http). */
  serviceWorkers: boolean;
  /** A service worker controls this page now. */
  controlled: boolean;
  /** This tab has already reloaded once for isolation. */
  reloadedBefore: boolean;
}

/**
 * What the page does at start-up:
 * - `none`: isolated already, or isolation cannot come from a worker (none, or already tried);
 * - `reload`: controlled but not isolated (the worker took over after this page loaded);
 * - `await-worker`: first visit: wait for the worker to take control, then reload once.
 */
export function isolationStep(s: IsolationState): 'none' | 'reload' | 'await-worker' {
  if (s.isolated || !s.serviceWorkers || s.reloadedBefore) return 'none';
  return s.controlled ? 'reload' : 'await-worker';
}
