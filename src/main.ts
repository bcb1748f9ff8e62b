import { mount } from 'svelte';
import App from './ui/App.svelte';
import { startOfflineApp, type OfflineApp } from './lib/offline/register';
import './app.css';

// The built app registers its service worker first: on a host without isolation headers the
// first visit reloads once, before anything starts (never in the middle of an import or a run).
const offline: Promise<OfflineApp | null> = import.meta.env.PROD
  ? startOfflineApp().catch(() => null)
  : Promise.resolve(null);

void offline.then((app) =>
  mount(App, { target: document.getElementById('app')!, props: { offline: app } }),
);
