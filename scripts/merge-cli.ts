// npm run merge -- --base base.gguf --model a.gguf --model b.gguf --method ties --density 0.5
//   --weight 0.6 --weight 0.4 [--lambda 1] [--seed 0] [--t 0.5] [--normalize|--no-normalize]
//   [--out-type f32|f16|q8_0] --out merged.gguf
// Repeat --weight/--density once per model, or give one for all; a comma list (0.2,0.5,0.8) is
// a value per layer, interpolated as mergekit's gradients. Prints a JSON summary; exits 1 with
// the reason when the models cannot be merged, 2 for bad arguments.

import { resolve } from 'node:path';
import { readGgufModel } from '../src/lib/merge/gguf-model';
import { MERGE_OUTPUT_TYPES, type MergeOutputType } from '../src/lib/merge/ggml-types';
import { mergeModels } from '../src/lib/merge/merge';
import { isMergeMethodName } from '../src/lib/merge/methods/registry';
import { MERGE_METHOD_NAMES } from '../src/lib/merge/methods/types';
import { recipeProblems, type LayerValue, type MergeRecipe } from '../src/lib/merge/recipe';
import { nodeFileSink, nodeFileSource } from './merge/node-io';

const USAGE =
  'usage: npm run merge -- --base base.gguf --model a.gguf [--model b.gguf …] ' +
  `--method ${MERGE_METHOD_NAMES.join('|')} [--weight W …] [--density D …] [--lambda L] ` +
  '[--t T] [--seed N] [--normalize|--no-normalize] [--out-type f32|f16|q8_0] --out merged.gguf';

export interface MergeArgs {
  base: string;
  models: string[];
  out: string;
  recipe: MergeRecipe;
}

class UsageError extends Error {}

function layerValue(flag: string, raw: string | undefined): LayerValue {
  if (raw === undefined) throw new UsageError(`${flag} needs a value`);
  const parts = raw.split(',').map((p) => p.trim());
  const values = parts.map(Number);
  if (parts.some((p) => p === '') || values.some((v) => !Number.isFinite(v))) {
    throw new UsageError(`${flag} needs a number or a comma list of numbers, got ${raw}`);
  }
  return values.length === 1 ? values[0] : values;
}

export function parseMergeArgs(argv: readonly string[]): MergeArgs {
  let base: string | undefined;
  let out: string | undefined;
  let method: string | undefined;
  let outType: MergeOutputType = 'q8_0';
  let normalize: boolean | undefined;
  let lambda: LayerValue = 1;
  let t: LayerValue = 0.5;
  let seed = 0;
  const models: string[] = [];
  const weights: LayerValue[] = [];
  const densities: LayerValue[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => argv[++i];
    switch (arg) {
      case '--base':
        base = next();
        break;
      case '--model': {
        const m = next();
        if (m === undefined) throw new UsageError('--model needs a file');
        models.push(m);
        break;
      }
      case '--method':
        method = next();
        break;
      case '--weight':
        weights.push(layerValue(arg, next()));
        break;
      case '--density':
        densities.push(layerValue(arg, next()));
        break;
      case '--lambda':
        lambda = layerValue(arg, next());
        break;
      case '--t':
        t = layerValue(arg, next());
        break;
      case '--seed': {
        const raw = next();
        if (raw === undefined || !/^\d+$/.test(raw))
          throw new UsageError('--seed needs an integer');
        seed = Number(raw);
        break;
      }
      case '--normalize':
        normalize = true;
        break;
      case '--no-normalize':
        normalize = false;
        break;
      case '--out-type': {
        const v = next();
        if (!(MERGE_OUTPUT_TYPES as readonly string[]).includes(v ?? '')) {
          throw new UsageError(`--out-type must be one of ${MERGE_OUTPUT_TYPES.join(', ')}`);
        }
        outType = v as MergeOutputType;
        break;
      }
      case '--out':
        out = next();
        break;
      default:
        throw new UsageError(`unexpected argument ${arg}`);
    }
  }
  if (base === undefined) throw new UsageError('missing --base');
  if (models.length === 0) throw new UsageError('missing --model (one per fine-tune)');
  if (out === undefined) throw new UsageError('missing --out');
  if (method === undefined || !isMergeMethodName(method)) {
    throw new UsageError(`--method must be one of ${MERGE_METHOD_NAMES.join(', ')}`);
  }
  const perModel = (flag: string, given: LayerValue[], fallback: LayerValue): LayerValue[] => {
    if (given.length === 0) return models.map(() => fallback);
    if (given.length === 1) return models.map(() => given[0]);
    if (given.length !== models.length) {
      throw new UsageError(
        `${flag} is given ${given.length} times for ${models.length} models (give one, or one per model)`,
      );
    }
    return given;
  };
  const w = perModel('--weight', weights, 1);
  const d = perModel('--density', densities, 1);
  const recipe: MergeRecipe = {
    method,
    base,
    models: models.map((source, i) => ({ source, weight: w[i], density: d[i] })),
    lambda,
    t,
    ...(normalize === undefined ? {} : { normalize }),
    seed,
    outType,
  };
  const problems = recipeProblems(recipe);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  return { base, models, out, recipe };
}

async function main(): Promise<void> {
  let args: MergeArgs;
  try {
    args = parseMergeArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const sources: Array<{ close(): Promise<void> }> = [];
  try {
    const base = await readGgufModel(
      await nodeFileSource(args.base).then((s) => (sources.push(s), s)),
    );
    const models = [];
    for (const m of args.models) {
      models.push(await readGgufModel(await nodeFileSource(m).then((s) => (sources.push(s), s))));
    }
    const summary = await mergeModels({
      base,
      models,
      recipe: args.recipe,
      sink: await nodeFileSink(resolve(args.out)),
    });
    // Peak memory of the whole process (resident set), for the bench.
    const maxRssBytes = process.resourceUsage().maxRSS * 1024;
    process.stdout.write(
      `${JSON.stringify({ out: resolve(args.out), ...summary, maxRssBytes })}\n`,
    );
  } catch (err) {
    process.stderr.write(`merge failed: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    for (const s of sources) await s.close();
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  void main();
}
