import { demoModelSpec } from './demo-model';
import type { ModelSpec } from './types';

/**
 * The model named in a run spec or link: `demo:tiny-random`, a GGUF URL (wllama), or a
 * web-llm model id. `base` resolves the demo model's URL.
 */
export function resolveModel(
  model: string,
  engine: 'webllm' | 'wllama',
  base: string,
  threads?: number,
): ModelSpec {
  if (model === 'demo:tiny-random') return { ...demoModelSpec(base), threads } as ModelSpec;
  if (/^https?:\/\//i.test(model)) {
    const label = decodeURIComponent(new URL(model).pathname.split('/').pop() ?? model);
    return { backend: 'wllama', id: model, url: model, label, device: 'cpu', threads };
  }
  if (engine === 'wllama')
    throw new Error(`"${model}" is not a GGUF URL, which the wllama engine needs.`);
  return { backend: 'webllm', id: model, label: model };
}
