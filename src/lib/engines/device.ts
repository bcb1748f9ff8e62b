import { english, msg, type Message } from '../i18n/translate';

/** What this browser and device offer for on-device inference. */
export interface DeviceInfo {
  webgpu: {
    vendor: string;
    architecture: string;
    description: string;
    isFallbackAdapter: boolean;
    shaderF16: boolean;
    maxBufferSize: number;
    maxStorageBufferBindingSize: number;
  } | null;
  /** Why there is no adapter, when there is none. */
  webgpuProblem: 'no-api' | 'no-adapter' | null;
  deviceMemoryGB: number | null;
  hardwareConcurrency: number;
  crossOriginIsolated: boolean;
  storage: { usage: number; quota: number } | null;
}

export async function probeDevice(): Promise<DeviceInfo> {
  const nav = navigator as Navigator & { deviceMemory?: number };
  let webgpu: DeviceInfo['webgpu'] = null;
  let webgpuProblem: DeviceInfo['webgpuProblem'] = null;
  if (!('gpu' in navigator) || !navigator.gpu) webgpuProblem = 'no-api';
  else {
    const adapter = await navigator.gpu.requestAdapter().catch(() => null);
    if (!adapter) webgpuProblem = 'no-adapter';
    else {
      const info = adapter.info;
      webgpu = {
        vendor: info?.vendor ?? '',
        architecture: info?.architecture ?? '',
        description: info?.description ?? '',
        isFallbackAdapter:
          (info as GPUAdapterInfo & { isFallbackAdapter?: boolean })?.isFallbackAdapter ?? false,
        shaderF16: adapter.features.has('shader-f16'),
        maxBufferSize: adapter.limits.maxBufferSize,
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      };
    }
  }
  const estimate = await navigator.storage?.estimate?.().catch(() => null);
  return {
    webgpu,
    webgpuProblem,
    deviceMemoryGB: typeof nav.deviceMemory === 'number' ? nav.deviceMemory : null,
    hardwareConcurrency: navigator.hardwareConcurrency || 1,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    storage: estimate ? { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0 } : null,
  };
}

export interface DeviceVerdict {
  level: 'ok' | 'limited' | 'no';
  /** English (logs, tests); `i18n` the same text, to translate. */
  text: string;
  i18n: Message;
}

/** Plain words: what will run here and what will not, and why. */
export function assessDevice(d: DeviceInfo): DeviceVerdict[] {
  const out: DeviceVerdict[] = [];
  const say = (level: DeviceVerdict['level'], i18n: Message) =>
    out.push({ level, text: english(i18n), i18n });
  if (!d.webgpu) {
    say('no', msg(d.webgpuProblem === 'no-api' ? 'devNoWebgpuApi' : 'devNoAdapter'));
  } else {
    const { vendor, architecture } = d.webgpu;
    const gpu = vendor
      ? `${vendor}${architecture ? ' ' + architecture : ''}`
      : architecture
        ? msg('devUnknownVendorArch', { architecture })
        : msg('devUnknownVendor');
    const software = d.webgpu.architecture === 'swiftshader' || d.webgpu.isFallbackAdapter;
    if (software) say('limited', msg('devSoftware', { gpu }));
    else say('ok', msg('devWebgpuOk', { gpu }));
    if (d.webgpu.shaderF16) say('ok', msg('devF16'));
    else say('limited', msg('devNoF16'));
    const gib = d.webgpu.maxBufferSize / 2 ** 30;
    if (gib < 2) say('limited', msg('devSmallBuffer', { gib: gib.toFixed(1) }));
  }
  if (d.crossOriginIsolated) say('ok', msg('devIsolated', { n: d.hardwareConcurrency }));
  else say('limited', msg('devNotIsolated'));
  if (d.deviceMemoryGB !== null && d.deviceMemoryGB <= 4) {
    say('limited', msg('devLowMemory', { gb: d.deviceMemoryGB }));
  }
  return out;
}

/**
 * CPU threads for llama.cpp when the user has not chosen: one per physical core, as llama.cpp
 * advises (`hardwareConcurrency` counts logical cores, two per physical core on most machines),
 * at most 4. This also leaves cores to the page, IndexedDB and the browser: with the engine on
 * every core, each of them stalls llama.cpp's threads. On 2 cores, 1 engine thread answered the
 * demo model about as fast as 2, and the run harness's overhead fell from about 2 ms a question
 * to none (npm run bench).
 */
export function defaultThreads(logicalCores: number): number {
  return Math.max(1, Math.min(4, Math.floor((logicalCores || 1) / 2)));
}
