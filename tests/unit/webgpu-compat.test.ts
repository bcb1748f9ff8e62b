import { describe, expect, it } from 'vitest';
import { maximumLimitsOf, useCompatibilityAdapter } from '../../src/lib/engines/webgpu-compat';

/** A stand-in adapter: limits as prototype getters, as GPUSupportedLimits has them. */
function fakeAdapter(requested: GPUDeviceDescriptor[]) {
  class Limits {
    get maxComputeInvocationsPerWorkgroup() {
      return 1024;
    }
    get maxStorageBufferBindingSize() {
      return 1 << 30;
    }
  }
  return {
    limits: new Limits(),
    requestDevice: async (d?: GPUDeviceDescriptor) => {
      requested.push(d ?? {});
      return {} as GPUDevice;
    },
  } as unknown as GPUAdapter;
}

describe('the compatibility adapter for lavapipe test builds', () => {
  it('asks for the compatibility feature level and gives the device the adapter maximum limits', async () => {
    const asked: (GPURequestAdapterOptions | undefined)[] = [];
    const devices: GPUDeviceDescriptor[] = [];
    const adapter = fakeAdapter(devices);
    const gpu = {
      requestAdapter: async (o?: GPURequestAdapterOptions) => {
        asked.push(o);
        return adapter;
      },
    } as unknown as GPU;
    expect(maximumLimitsOf(adapter)).toEqual({
      maxComputeInvocationsPerWorkgroup: 1024,
      maxStorageBufferBindingSize: 1 << 30,
    });
    useCompatibilityAdapter(gpu);
    const got = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    expect(asked).toEqual([{ powerPreference: 'high-performance', featureLevel: 'compatibility' }]);
    await got!.requestDevice({ requiredLimits: { maxStorageBufferBindingSize: 1024 } });
    // The caller's own limits win over the maxima.
    expect(devices).toEqual([
      {
        requiredLimits: {
          maxComputeInvocationsPerWorkgroup: 1024,
          maxStorageBufferBindingSize: 1024,
        },
      },
    ]);
  });
});
