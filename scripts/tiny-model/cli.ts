// Usage: tsx scripts/tiny-model/cli.ts <out.gguf> [--seed N] [--dim 64] [--layers 2] [--heads 4]
//        [--kv-heads N] [--ffn 128] [--vocab N] [--ctx 2048] [--ftype f32|f16]
// Writes a deterministic tiny random llama GGUF and prints a one-line JSON summary.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  buildTinyModel,
  DEFAULT_TINY_MODEL_OPTIONS,
  validateOptions,
  type TinyModelOptions,
} from './model.ts';

export interface TinyModelSummary {
  path: string;
  bytes: number;
  n_vocab: number;
  dim: number;
  layers: number;
  heads: number;
  kv_heads: number;
  ffn: number;
  ftype: string;
  seed: number;
  tensors: number;
  sha256: string;
}

const USAGE =
  'usage: tsx scripts/tiny-model/cli.ts <out.gguf> [--seed N] [--dim 64] [--layers 2] ' +
  '[--heads 4] [--kv-heads N] [--ffn 128] [--vocab N] [--ctx 2048] [--ftype f32|f16]';

export function parseArgs(argv: readonly string[]): { out: string; options: TinyModelOptions } {
  const options: TinyModelOptions = { ...DEFAULT_TINY_MODEL_OPTIONS };
  let out: string | undefined;
  let ffnGiven = false;
  const intArg = (flag: string, raw: string | undefined): number => {
    if (raw === undefined || !/^\d+$/.test(raw)) throw new Error(`${flag} needs an integer`);
    return Number(raw);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = (): string | undefined => argv[++i];
    switch (arg) {
      case '--seed':
        options.seed = intArg(arg, next());
        break;
      case '--dim':
        options.dim = intArg(arg, next());
        break;
      case '--layers':
        options.layers = intArg(arg, next());
        break;
      case '--heads':
        options.heads = intArg(arg, next());
        break;
      case '--kv-heads':
        options.kvHeads = intArg(arg, next());
        break;
      case '--vocab':
        options.vocabSize = intArg(arg, next());
        break;
      case '--ffn':
        options.ffn = intArg(arg, next());
        ffnGiven = true;
        break;
      case '--ctx':
        options.contextLength = intArg(arg, next());
        break;
      case '--ftype': {
        const v = next();
        if (v !== 'f32' && v !== 'f16') throw new Error('--ftype must be f32 or f16');
        options.ftype = v;
        break;
      }
      default:
        if (arg.startsWith('--') || out !== undefined) {
          throw new Error(`unexpected argument ${arg}`);
        }
        out = arg;
    }
  }
  if (out === undefined) throw new Error('missing output path');
  // Keep the usual llama ratio when only the width changes.
  if (!ffnGiven) options.ffn = 2 * options.dim;
  return { out, options };
}

export function writeTinyModel(out: string, options: TinyModelOptions): TinyModelSummary {
  const model = buildTinyModel(options);
  const path = resolve(out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, model.bytes);
  return {
    path,
    bytes: model.bytes.length,
    n_vocab: model.vocab.tokens.length,
    dim: options.dim,
    layers: options.layers,
    heads: options.heads,
    kv_heads: options.kvHeads ?? options.heads,
    ffn: options.ffn,
    ftype: options.ftype,
    seed: options.seed,
    tensors: model.tensorCount,
    sha256: createHash('sha256').update(model.bytes).digest('hex'),
  };
}

function main(): void {
  let parsed: { out: string; options: TinyModelOptions };
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  try {
    validateOptions(parsed.options);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const summary = writeTinyModel(parsed.out, parsed.options);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

// Run only when executed directly, so tests can import parseArgs/writeTinyModel.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main();
}
