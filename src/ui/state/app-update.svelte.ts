import type { OfflineApp } from '../../lib/offline/register';
import { RUN_LOCK_PREFIX } from '../../lib/eval/locks';

/** Is any run driven now, in this tab or another (each driving tab holds the run's Web Lock)? */
async function runHeldAnywhere(): Promise<boolean> {
  const held = await navigator.locks?.query?.().catch(() => null);
  return !!held?.held?.some((lock) => lock.name?.startsWith(RUN_LOCK_PREFIX));
}

/**
 * A new version of the installed app: offered, never forced, and never applied while a run or an
 * exam sitting is going.
 */
export class AppUpdateState {
  /** A new version waits to be activated. */
  waiting = $state(false);
  /** Another tab activated a new version while this one was busy: the reload is offered. */
  reloadNeeded = $state(false);
  /** Why the reload is held back now, when it is. */
  heldBack = $state(false);
  private apply: (() => Promise<void>) | null = null;
  private applying = false;

  constructor(
    offline: OfflineApp | null,
    /** A run or exam sitting is going in this tab. */
    private readonly busy: () => boolean,
  ) {
    if (!offline) return;
    offline.onUpdate((apply) => {
      this.apply = apply;
      this.waiting = true;
    });
    // The new version took control (asked for here or in another tab): reload into it now,
    // unless a run or a sitting is going here; then offer it.
    offline.onReloadNeeded(() => {
      if (this.applying || !this.busy()) {
        location.reload();
        return;
      }
      this.reloadNeeded = true;
      this.waiting = true;
    });
  }

  /** A run or sitting is going in this tab (reactive). */
  get busyHere(): boolean {
    return this.busy();
  }

  /** Busy in this tab, or a run driven by another tab of this app. */
  private async isBusy(): Promise<boolean> {
    return this.busy() || (await runHeldAnywhere());
  }

  /** Reload into the new version, unless a run or a sitting is going (then say so). */
  async reload(): Promise<void> {
    if (await this.isBusy()) {
      this.heldBack = true;
      return;
    }
    this.heldBack = false;
    if (this.reloadNeeded || !this.apply) location.reload();
    else {
      this.applying = true;
      await this.apply();
    }
  }
}
