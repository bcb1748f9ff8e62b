// Usage: npm run model:mlc -- --lib <model-library.wasm> --out <dir> [--seed N]
// Writes a deterministic random-weight model for that MLC library under <dir>/resolve/main/ and
// prints a one-line JSON summary. Random weights: for testing the engine, not for answers.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LibraryMetadataError } from './metadata';
import { writeMlcModel } from './model';

const USAGE = 'usage: npm run model:mlc -- --lib <model-library.wasm> --out <dir> [--seed N]';

export function parseArgs(argv: readonly string[]): { lib: string; out: string; seed: number } {
  let lib: string | undefined;
  let out: string | undefined;
  let seed = 0;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag !== '--lib' && flag !== '--out' && flag !== '--seed') {
      throw new Error(`Unknown argument "${flag}". ${USAGE}`);
    }
    if (value === undefined) throw new Error(`${flag} needs a value. ${USAGE}`);
    i++;
    if (flag === '--lib') lib = value;
    else if (flag === '--out') out = value;
    else {
      if (!/^\d+$/.test(value)) throw new Error(`--seed must be a whole number, not "${value}".`);
      seed = Number(value);
    }
  }
  if (!lib || !out) throw new Error(`--lib and --out are required. ${USAGE}`);
  return { lib, out, seed };
}

function main(): void {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  try {
    const { summary } = writeMlcModel(
      readFileSync(resolve(args.lib)),
      resolve(args.out),
      args.seed,
    );
    console.log(JSON.stringify(summary));
  } catch (err) {
    const refused = err instanceof LibraryMetadataError;
    console.error(`${refused ? 'Refused: ' : ''}${(err as Error).message}`);
    process.exit(refused ? 3 : 1);
  }
}

// Run only when executed directly, so tests can import parseArgs.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main();
}
