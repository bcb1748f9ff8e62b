// `npm run dataset -- inspect <file-or-url>`: the app's own parser, run in Node.
import { createReadStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseDatasetFiles, type ParseFile } from '../src/lib/dataset/parse';
import { DatasetError } from '../src/lib/dataset/errors';
import { HEAD_BYTES, planFiles } from '../src/lib/dataset/file-set';
import { readAnswerKey } from '../src/lib/dataset/formats/cmb';
import { BENCHMARK_FORMATS, type BenchmarkFormat } from '../src/lib/dataset/types';

const USAGE =
  'usage: npm run dataset -- inspect <file-or-url> [<file-or-url> …] [--format <' +
  BENCHMARK_FORMATS.join('|') +
  '>]';

async function open(source: string): Promise<AsyncIterable<Uint8Array>> {
  if (/^https?:\/\//i.test(source)) {
    const response = await fetch(source);
    if (!response.ok) {
      throw new DatasetError('http', `The server answered ${response.status} for ${source}.`);
    }
    if (!response.body) throw new DatasetError('network', `No body from ${source}.`);
    return response.body as unknown as AsyncIterable<Uint8Array>;
  }
  const stream = createReadStream(source);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  return stream as AsyncIterable<Uint8Array>;
}

/** Where the CLI writes: the process's streams, or a test's buffers. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

async function readAll(source: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of await open(source)) parts.push(chunk);
  return Buffer.concat(parts);
}

async function head(source: string): Promise<string> {
  const bytes = await readAll(source);
  return new TextDecoder().decode(bytes.subarray(0, HEAD_BYTES));
}

async function inspect(
  sources: string[],
  shape: BenchmarkFormat | undefined,
  io: CliIo,
): Promise<void> {
  const plan =
    sources.length === 1
      ? { answerKey: null, questions: [0] }
      : planFiles(
          await Promise.all(sources.map(async (name) => ({ name, head: await head(name) }))),
        );
  const answerKeyBytes =
    plan.answerKey === null ? undefined : await readAll(sources[plan.answerKey]);
  const answerKey =
    plan.answerKey === null || !answerKeyBytes
      ? undefined
      : readAnswerKey(new TextDecoder().decode(answerKeyBytes), sources[plan.answerKey]);
  const files: ParseFile[] = [];
  for (const i of plan.questions) files.push({ name: sources[i], chunks: await open(sources[i]) });
  const summary = await parseDatasetFiles(
    files,
    { name: sources[plan.questions[0]], maxProblems: Infinity, shape, answerKey, answerKeyBytes },
    () => {},
  );
  const { stats } = summary;
  const report = {
    source: sources.length === 1 ? sources[0] : plan.questions.map((i) => sources[i]),
    ...(answerKey ? { answer_key: sources[plan.answerKey!] } : {}),
    format: summary.shape,
    kind: summary.kind,
    file_format: summary.format,
    rows: summary.rows,
    data_rows: summary.dataRows,
    columns: summary.columns,
    bytes: summary.bytes,
    sha256: summary.sha256,
    answer_length_histogram: stats.answer_length_histogram,
    option_count_histogram: stats.option_count_histogram,
    option_sets: stats.option_sets,
    multi_answer: stats.multi_answer,
    blank_answers: stats.blank_answers,
    blank_explanations: stats.blank_explanations,
    open_items: stats.open_items ?? 0,
    annotation_counts: stats.annotation_counts,
    problems: summary.problems,
  };
  io.stdout(JSON.stringify(report, null, 2) + '\n');
}

/** The CLI as a function: its exit code (0 ok, 1 not a dataset, 2 usage). */
export async function runDatasetCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const sources: string[] = [];
  let shape: BenchmarkFormat | undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--format') {
      const value = rest[++i] as BenchmarkFormat;
      if (!BENCHMARK_FORMATS.includes(value)) {
        io.stderr(`--format must be one of ${BENCHMARK_FORMATS.join(', ')}\n` + USAGE + '\n');
        return 2;
      }
      shape = value;
    } else sources.push(rest[i]);
  }
  const source = sources.join(', ');
  if (command !== 'inspect' || sources.length === 0 || sources.includes('')) {
    io.stderr(USAGE + '\n');
    return 2;
  }
  try {
    await inspect(sources, shape, io);
    return 0;
  } catch (err) {
    const reason =
      err instanceof DatasetError
        ? err.message
        : (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? `No such file: ${source}`
          : err instanceof Error
            ? err.message
            : String(err);
    io.stderr(`cannot read ${source} as a dataset: ${reason}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runDatasetCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
