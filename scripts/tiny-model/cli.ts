// Usage: tsx scripts/tiny-model/cli.ts <out.gguf> [--seed N] [--dim 64] [--layers 2] [--heads 4]
//        [--kv-heads N] [--ffn 128] [--vocab N] [--ctx 2048] [--ftype f32|f16]
// Writes a deterministic tiny random llama GGUF and prints a one-line JSON summary.
//        tsx scripts/tiny-model/cli.ts <out.gguf> --from <model.gguf> [--delta-scale S]
//        [--delta-tensors attn_q,ffn_up] [--seed N] [--type f32|f16|q8_0|q4_0|q4_k]
// With --from: a derived model (derive.ts): a seeded "fine-tune" of the given model and/or a
// quantized copy of it.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  buildTinyModel,
  DEFAULT_TINY_MODEL_OPTIONS,
  validateOptions,
  type TinyModelOptions,
} from './model.ts';
import { deriveModel, type DeriveOptions } from './derive.ts';

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

const DERIVED_TYPES = ['f32', 'f16', 'q8_0', 'q4_0', 'q4_k'] as const;

export function parseDeriveArgs(argv: readonly string[]): DeriveOptions {
  let out: string | undefined;
  const o: Partial<DeriveOptions> = { seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    switch (arg) {
      case '--from':
        o.from = value;
        i++;
        break;
      case '--delta-scale':
        if (value === undefined || !(Number(value) > 0))
          throw new Error('--delta-scale needs a positive number');
        o.deltaScale = Number(value);
        i++;
        break;
      case '--delta-tensors':
        o.deltaTensors = (value ?? '').split(',').filter((x) => x !== '');
        i++;
        break;
      case '--seed':
        if (value === undefined || !/^\d+$/.test(value)) throw new Error('--seed needs an integer');
        o.seed = Number(value);
        i++;
        break;
      case '--type':
        if (!(DERIVED_TYPES as readonly string[]).includes(value ?? '')) {
          throw new Error(`--type must be one of ${DERIVED_TYPES.join(', ')}`);
        }
        o.type = value as DeriveOptions['type'];
        i++;
        break;
      default:
        if (arg.startsWith('--') || out !== undefined)
          throw new Error(`unexpected argument ${arg}`);
        out = arg;
    }
  }
  if (out === undefined) throw new Error('missing output path');
  if (o.from === undefined) throw new Error('--from needs a GGUF file');
  return { ...o, from: o.from, out, seed: o.seed ?? 1 };
}

async function mainDerive(argv: readonly string[]): Promise<void> {
  let options: DeriveOptions;
  try {
    options = parseDeriveArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const out = resolve(options.out);
  mkdirSync(dirname(out), { recursive: true });
  const summary = await deriveModel({ ...options, out });
  const sha256 = createHash('sha256').update(readFileSync(out)).digest('hex');
  process.stdout.write(
    `${JSON.stringify({ path: out, from: resolve(options.from), ...summary, sha256 })}\n`,
  );
}

function main(): void {
  if (process.argv.includes('--from')) {
    mainDerive(process.argv.slice(2)).catch((err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    });
    return;
  }
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
