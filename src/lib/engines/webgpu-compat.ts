/**
 * Test builds only (built with `VITE_WEBGPU_COMPAT=1`): make web-llm use WebGPU's
 * compatibility adapter. Headless Chromium with `--use-webgpu-adapter=opengles` offers Mesa's
 * lavapipe only that way (a plain `requestAdapter()` still returns SwiftShader, about 4× slower),
 * and a compatibility device starts with limits too small for MLC's kernels (128 invocations a
 * workgroup), so the device is asked for the adapter's own maximum limits.
 */

/** Every numeric limit the adapter supports, at its maximum. */
export function maximumLimitsOf(adapter: GPUAdapter): Record<string, number> {
  const limits: Record<string, number> = {};
  const source = adapter.limits as unknown as Record<string, unknown>;
  // GPUSupportedLimits exposes its limits as getters on its prototype.
  for (let o: object | null = source; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      const value = source[name];
      if (typeof value === 'number') limits[name] = value;
    }
  }
  return limits;
}

export function useCompatibilityAdapter(gpu: GPU): void {
  const original = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = async (options?: GPURequestAdapterOptions) => {
    const adapter = await original({
      ...options,
      featureLevel: 'compatibility',
    } as GPURequestAdapterOptions);
    if (!adapter) return null;
    const requestDevice = adapter.requestDevice.bind(adapter);
    adapter.requestDevice = (descriptor?: GPUDeviceDescriptor) =>
      requestDevice({
        ...descriptor,
        requiredLimits: { ...maximumLimitsOf(adapter), ...descriptor?.requiredLimits },
      });
    return adapter;
  };
}
