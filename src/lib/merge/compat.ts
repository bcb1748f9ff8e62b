// Can these models be merged? Same architecture, same tensor names and shapes, same tokenizer
// as the base. Every mismatch is named; a merge starts only when there is none.

import { metadataValue, type GgufModel } from './gguf-model';

/** Shape mismatches named one by one per model; the rest are counted. */
const SHAPES_LISTED = 5;

const TOKENIZER_KEYS = ['tokenizer.ggml.model', 'tokenizer.ggml.tokens', 'tokenizer.ggml.merges'];

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  return a === b;
}

export function mergeMismatches(base: GgufModel, models: readonly GgufModel[]): string[] {
  const problems: string[] = [];
  const baseTensors = new Map(base.tensors.map((t) => [t.name, t]));
  for (const model of models) {
    const name = model.source.name;
    if (model.architecture !== base.architecture) {
      problems.push(`${name} is a ${model.architecture} model, the base is ${base.architecture}`);
      continue;
    }
    const own = new Map(model.tensors.map((t) => [t.name, t]));
    const missing = base.tensors.filter((t) => !own.has(t.name)).map((t) => t.name);
    const extra = model.tensors.filter((t) => !baseTensors.has(t.name)).map((t) => t.name);
    const list = (names: string[]) =>
      names.slice(0, 5).join(', ') + (names.length > 5 ? ', …' : '');
    if (missing.length > 0)
      problems.push(`${name} lacks ${missing.length} tensors of the base: ${list(missing)}`);
    if (extra.length > 0)
      problems.push(`${name} has ${extra.length} tensors the base lacks: ${list(extra)}`);
    // A model of other dimensions differs in every tensor: the first few say it.
    const reshaped = model.tensors.filter((t) => {
      const b = baseTensors.get(t.name);
      return b !== undefined && !sameValue(b.shape, t.shape);
    });
    for (const t of reshaped.slice(0, SHAPES_LISTED)) {
      const b = baseTensors.get(t.name)!;
      problems.push(
        `${name}: ${t.name} is [${t.shape.join(', ')}], the base has [${b.shape.join(', ')}]`,
      );
    }
    if (reshaped.length > SHAPES_LISTED) {
      problems.push(
        `${name}: ${reshaped.length - SHAPES_LISTED} more tensors differ in shape from the base`,
      );
    }
    for (const key of TOKENIZER_KEYS) {
      if (!sameValue(metadataValue(base, key), metadataValue(model, key))) {
        problems.push(`${name}: its tokenizer differs from the base's (${key})`);
      }
    }
  }
  return problems;
}
