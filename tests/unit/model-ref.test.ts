// Model references (src/lib/engines/model-ref.ts): one parser for links, the form and the
// engine resolver.
import { describe, expect, it } from 'vitest';
import {
  customMlcRecordFor,
  ggufRecordFor,
  modelSpecOf,
  parseModelRef,
  refOfModelSpec,
  sameModel,
} from '../../src/lib/engines/model-ref';

const GGUF = 'https://huggingface.co/org/repo/resolve/main/model-Q4_K_M.gguf';
const BASE = 'http://127.0.0.1:4173/app/';

describe('parseModelRef', () => {
  it('reads each kind of reference', () => {
    expect(parseModelRef('demo:tiny-random').ref).toEqual({
      kind: 'demo',
      engine: 'wllama',
      model: 'demo:tiny-random',
    });
    expect(parseModelRef(GGUF).ref).toEqual({ kind: 'gguf', engine: 'wllama', model: GGUF });
    expect(parseModelRef('file:mine.gguf').ref).toMatchObject({
      kind: 'local-file',
      fileName: 'mine.gguf',
    });
    expect(parseModelRef('Qwen2-0.5B-Instruct-q4f32_1-MLC').ref?.kind).toBe('mlc');
    expect(
      parseModelRef('Mine', {
        modelUrl: 'https://huggingface.co/me/Mine/tree/main',
        modelLibUrl: 'https://example.org/mine.wasm',
      }).ref,
    ).toEqual({
      kind: 'mlc-custom',
      engine: 'webllm',
      model: 'Mine',
      // Normalised as web-llm needs them: the repository's files, not its page.
      modelUrl: 'https://huggingface.co/me/Mine/resolve/main/',
      modelLibUrl: 'https://example.org/mine.wasm',
    });
  });

  it('names what is wrong', () => {
    expect(parseModelRef('demo:huge').problems[0]).toContain('Unknown demo model');
    expect(parseModelRef('https://huggingface.co/o/r/blob/main/m.gguf').problems[0]).toContain(
      '/resolve/',
    );
    expect(parseModelRef('https://example.org/model.bin').problems[0]).toContain('.gguf');
    expect(parseModelRef('two words').problems[0]).toContain('must be a web-llm model id');
    expect(parseModelRef('file:notes.txt').problems[0]).toContain('.gguf');
  });
});

describe('one model, however it was reached', () => {
  it('a model loaded from the Model step and the same one from a link are the same', () => {
    const record = ggufRecordFor(GGUF);
    const fromStep = refOfModelSpec({ ...record, backend: 'wllama' });
    const fromLink = refOfModelSpec(modelSpecOf(parseModelRef(GGUF).ref!, { base: BASE }));
    expect(sameModel(fromStep, fromLink)).toBe(true);
    const demo = refOfModelSpec(
      modelSpecOf(parseModelRef('demo:tiny-random').ref!, { base: BASE }),
    );
    expect(demo.model).toBe('demo:tiny-random');
    expect(sameModel(demo, fromLink)).toBe(false);
  });

  it('custom MLC models are the same only with the same addresses', () => {
    const a = customMlcRecordFor({
      id: 'Mine',
      modelUrl: 'https://example.org/mlc/Mine',
      modelLibUrl: 'https://example.org/mine.wasm',
    });
    const refA = refOfModelSpec({
      backend: 'webllm',
      id: a.id,
      modelUrl: a.modelUrl,
      modelLibUrl: a.modelLibUrl,
    });
    const refB = { ...refA, modelLibUrl: 'https://example.org/other.wasm' } as typeof refA;
    expect(sameModel(refA, refA)).toBe(true);
    expect(sameModel(refA, refB)).toBe(false);
  });

  it('a local file must be picked again in this visit', () => {
    const ref = parseModelRef('file:mine.gguf').ref!;
    expect(() => modelSpecOf(ref, { base: BASE })).toThrow(/choose it again/);
    const file = new File([new Uint8Array(4)], 'mine.gguf');
    const spec = modelSpecOf(ref, {
      base: BASE,
      localFile: (n) => (n === 'mine.gguf' ? file : undefined),
    });
    expect(spec).toMatchObject({ backend: 'wllama', id: 'file:mine.gguf', files: [file] });
  });

  it('the Model step’s checks list every problem of a custom model', () => {
    expect(() => customMlcRecordFor({ id: '', modelUrl: 'models/x', modelLibUrl: '' })).toThrow(
      /Give the model an id\..*needs both/,
    );
  });
});
