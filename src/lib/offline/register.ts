/**
 * The page's side of the service worker: registration, cross-origin isolation on hosts without
 * headers (reload once, see isolation.ts), and offering a new version without forcing it.
 */
import { registerSW } from 'virtual:pwa-register';
import { COI_RELOAD_FLAG, isolationStep } from './isolation';

/** How long the first visit waits for the worker before starting without isolation. */
const FIRST_CONTROL_WAIT_MS = 10_000;
/** How often an open page asks whether a new version is out. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

export interface OfflineApp {
  /** Called once when a new version waits; `apply` activates it (every open tab reloads). */
  onUpdate(listener: (apply: () => Promise<void>) => void): void;
  /** Called when another tab activated a new version: this page should reload when it can. */
  onReloadNeeded(listener: () => void): void;
}

function controllerChange(timeoutMs: number, failed: Promise<void>): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      navigator.serviceWorker.removeEventListener('controllerchange', onChange);
      clearTimeout(timer);
      resolve(ok);
    };
    const onChange = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    navigator.serviceWorker.addEventListener('controllerchange', onChange);
    void failed.then(() => done(false));
  });
}

/**
 * Registers the worker. Resolves when the app may start: at once, or on a first visit to a host
 * without isolation headers, once the worker controls the page (then the page reloads once and
 * this never resolves).
 */
export async function startOfflineApp(): Promise<OfflineApp> {
  const listeners: ((apply: () => Promise<void>) => void)[] = [];
  const reloadListeners: (() => void)[] = [];
  let waiting: (() => Promise<void>) | null = null;
  const app: OfflineApp = {
    onUpdate(listener) {
      listeners.push(listener);
      if (waiting) listener(waiting);
    },
    onReloadNeeded(listener) {
      reloadListeners.push(listener);
    },
  };
  if (!('serviceWorker' in navigator)) return app;

  let registrationFailed = () => {};
  const failed = new Promise<void>((resolve) => (registrationFailed = resolve));
  const updateSW = registerSW({
    immediate: true,
    onRegisterError: () => registrationFailed(),
    // Not reloaded by the library: the page decides (never in the middle of a run or sitting).
    onNeedReload() {
      if (reloadListeners.length === 0) location.reload();
      for (const listener of reloadListeners) listener();
    },
    onNeedRefresh() {
      waiting = () => updateSW(true);
      for (const listener of listeners) listener(waiting);
    },
    onRegisteredSW(_url, registration) {
      if (registration) setInterval(() => void registration.update(), UPDATE_CHECK_MS);
    },
  });

  const isolated = globalThis.crossOriginIsolated === true;
  if (isolated) sessionStorage.removeItem(COI_RELOAD_FLAG);
  const step = isolationStep({
    isolated,
    serviceWorkers: true,
    controlled: !!navigator.serviceWorker.controller,
    reloadedBefore: sessionStorage.getItem(COI_RELOAD_FLAG) !== null,
  });
  if (step === 'none') return app;
  if (step === 'await-worker' && !(await controllerChange(FIRST_CONTROL_WAIT_MS, failed)))
    return app;
  sessionStorage.setItem(COI_RELOAD_FLAG, '1');
  location.reload();
  return new Promise(() => {});
}
