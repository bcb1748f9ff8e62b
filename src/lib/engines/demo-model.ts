import type { ModelSpec } from './types';

/** Where the build puts the generated tiny model (see vite.config.ts). */
export const DEMO_MODEL_PATH = 'models/tiny-random-llama.gguf';

/** Random weights: for trying the flow end to end, not for measuring anything. */
export function demoModelSpec(base: string): ModelSpec {
  return {
    backend: 'wllama',
    id: 'demo:tiny-random',
    url: new URL(DEMO_MODEL_PATH, base).href,
    label: 'Demo: tiny random model (CPU)',
    device: 'cpu',
    contextSize: 2048,
  };
}
