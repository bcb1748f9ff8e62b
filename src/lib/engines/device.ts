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
  text: string;
}

/** Plain words: what will run here and what will not, and why. */
export function assessDevice(d: DeviceInfo): DeviceVerdict[] {
  const out: DeviceVerdict[] = [];
  if (!d.webgpu) {
    out.push({
      level: 'no',
      text:
        d.webgpuProblem === 'no-api'
          ? 'WebGPU is not available in this browser, so MLC models (web-llm) cannot run. Use a GGUF model on the CPU engine (wllama), or a recent Chrome or Edge. On Linux, Chrome may need WebGPU enabled (chrome://flags, "Unsafe WebGPU Support" and Vulkan).'
          : 'WebGPU exists but no GPU adapter was found (blocked, or no supported GPU), so MLC models cannot run. GGUF models on the CPU engine (wllama) still work.',
    });
  } else {
    const gpu = `${d.webgpu.vendor || 'unknown vendor'}${d.webgpu.architecture ? ' ' + d.webgpu.architecture : ''}`;
    const software = d.webgpu.architecture === 'swiftshader' || d.webgpu.isFallbackAdapter;
    out.push({
      level: software ? 'limited' : 'ok',
      text: software
        ? `WebGPU runs on a software renderer (${gpu}): MLC models load but run very slowly. Prefer the CPU engine or a machine with a GPU.`
        : `WebGPU is available (${gpu}): MLC models can run on the GPU.`,
    });
    out.push(
      d.webgpu.shaderF16
        ? {
            level: 'ok',
            text: 'The GPU supports 16-bit floats (shader-f16): q4f16 models, the faster variants, are offered.',
          }
        : {
            level: 'limited',
            text: 'The GPU lacks 16-bit float support (shader-f16): only q4f32 variants can run, and they need more memory.',
          },
    );
    const gib = d.webgpu.maxBufferSize / 2 ** 30;
    if (gib < 2) {
      out.push({
        level: 'limited',
        text: `Largest GPU buffer is ${gib.toFixed(1)} GiB: models whose weights need larger buffers will fail to load.`,
      });
    }
  }
  out.push(
    d.crossOriginIsolated
      ? {
          level: 'ok',
          text: `The page is cross-origin isolated: the CPU engine can use up to ${d.hardwareConcurrency} threads.`,
        }
      : {
          level: 'limited',
          text: 'The page is not cross-origin isolated (the server does not send COOP/COEP headers): the CPU engine runs single-threaded.',
        },
  );
  if (d.deviceMemoryGB !== null && d.deviceMemoryGB <= 4) {
    out.push({
      level: 'limited',
      text: `The browser reports about ${d.deviceMemoryGB} GB of memory: prefer models under 1B parameters.`,
    });
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
