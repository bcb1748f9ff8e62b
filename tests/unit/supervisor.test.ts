// Worker supervision (src/lib/workers/supervisor.ts) with stand-in workers: a MessageChannel
// whose far end Comlink exposes, holding its alive lock until the test "kills" it. Calls in
// flight fail with WorkerCrashedError; a new worker is started and restored; a worker that dies
// again and again without doing any work is no longer restored.
import './support/browser-apis';
import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import {
  MAX_UNHEALTHY_RESTARTS,
  WorkerSupervisor,
  type Supervisable,
} from '../../src/lib/workers/supervisor';

interface Api extends Supervisable {
  work(): Promise<string>;
  hang(): Promise<never>;
}

function fakeWorkers() {
  const kills: (() => void)[] = [];
  let spawned = 0;
  const spawn = (): Worker => {
    const { port1, port2 } = new MessageChannel();
    let release!: () => void;
    const dead = new Promise<void>((r) => (release = r));
    kills.push(release);
    const api: Api = {
      holdAliveLock: (name) =>
        new Promise<void>((held) => {
          void navigator.locks.request(name, async () => {
            held();
            await dead; // the lock is released when the "worker" dies
          });
        }),
      work: async () => 'done',
      hang: () => new Promise<never>(() => {}),
    };
    Comlink.expose(api, port2 as unknown as Comlink.Endpoint);
    spawned++;
    return Object.assign(port1, { terminate: () => port1.close() }) as unknown as Worker;
  };
  return { spawn, kill: () => kills.at(-1)!(), spawned: () => spawned };
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

describe('WorkerSupervisor', () => {
  it('fails the calls in flight when the worker dies, and restores a new one', async () => {
    const w = fakeWorkers();
    let restores = 0;
    const s = new WorkerSupervisor<Api>({
      name: 'test',
      spawn: w.spawn,
      restore: async () => void restores++,
      backoffMs: [10, 20, 40],
    });
    await tick();
    const hanging = s.call((api) => api.hang());
    await tick();
    w.kill();
    await expect(hanging).rejects.toMatchObject({ name: 'WorkerCrashedError' });
    await s.settled();
    expect(w.spawned()).toBe(2);
    expect(restores).toBe(1);
    expect(await s.call((api) => api.work())).toBe('done');
    s.terminate();
  });

  it('regression: a worker that keeps dying without doing any work is no longer restored', async () => {
    const w = fakeWorkers();
    let restores = 0;
    let gaveUp = 0;
    const s = new WorkerSupervisor<Api>({
      name: 'test',
      spawn: w.spawn,
      restore: async () => void restores++,
      onGiveUp: () => void gaveUp++,
      backoffMs: [10, 20, 40],
    });
    await tick();
    // Each restore "loads the model" and the worker dies again before any call completes.
    for (let i = 0; i < MAX_UNHEALTHY_RESTARTS + 1; i++) {
      w.kill();
      await tick(80);
      await s.settled();
    }
    expect(restores).toBe(MAX_UNHEALTHY_RESTARTS);
    expect(gaveUp).toBe(1);
    // Calls are answered by the bare new worker (no hang), so callers can store an error.
    expect(await s.call((api) => api.work())).toBe('done');
    s.terminate();
  });

  it('a call that completes counts as health: the count of crashes starts again', async () => {
    const w = fakeWorkers();
    let restores = 0;
    const s = new WorkerSupervisor<Api>({
      name: 'test',
      spawn: w.spawn,
      restore: async () => void restores++,
      backoffMs: [5, 5, 5],
    });
    await tick();
    for (let i = 0; i < 2 * MAX_UNHEALTHY_RESTARTS; i++) {
      w.kill();
      await tick(40);
      await s.settled();
      await s.call((api) => api.work());
    }
    expect(restores).toBe(2 * MAX_UNHEALTHY_RESTARTS);
    s.terminate();
  });
});
