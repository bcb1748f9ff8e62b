import { modelVersion } from '@mlc-ai/web-llm';

/**
 * What differs, among the parts the app uses, between the web-llm releases it is built with:
 * 0.2.86 ships; the real-runtime test build uses 0.2.79, the last release for model libraries of
 * TVM's old FFI (docs/webllm-versions.md). Read from `modelVersion`, the prebuilt-library set a
 * release is made for: `v0_2_48` up to 0.2.79, `v0_2_86/base` for 0.2.86.
 */
export interface WebLlmRuntimeFacts {
  /** The weight index web-llm fetches next to the shards. */
  weightIndexFile: 'ndarray-cache.json' | 'tensor-cache.json';
  /**
   * `usage.completion_tokens` counts decode steps only, leaving out the first token (sampled at
   * the end of the prefill): 4 tokens at `max_tokens: 4` are reported as 3.
   */
  completionTokensAreDecodeSteps: boolean;
}

export function webLlmRuntimeFacts(version: string): WebLlmRuntimeFacts {
  const oldFfi = /^v0_2_([0-6]\d|7[0-9])(\/|$)/.test(version);
  return {
    weightIndexFile: oldFfi ? 'ndarray-cache.json' : 'tensor-cache.json',
    completionTokensAreDecodeSteps: oldFfi,
  };
}

export const WEBLLM_RUNTIME: WebLlmRuntimeFacts = webLlmRuntimeFacts(modelVersion);
