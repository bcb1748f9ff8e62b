// `npm run dataset -- inspect <file-or-url>`: the app's own parser, run in Node.
import { createReadStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseDataset } from '../src/lib/dataset/parse';
import { DatasetError } from '../src/lib/dataset/errors';

const USAGE = 'usage: npm run dataset -- inspect <file-or-url>';

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

async function inspect(source: string, io: CliIo): Promise<void> {
  const summary = await parseDataset(
    await open(source),
    { name: source, maxProblems: Infinity },
    () => {},
  );
  const { stats } = summary;
  const report = {
    source,
    format: summary.format,
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
    annotation_counts: stats.annotation_counts,
    problems: summary.problems,
  };
  io.stdout(JSON.stringify(report, null, 2) + '\n');
}

/** The CLI as a function: its exit code (0 ok, 1 not a dataset, 2 usage). */
export async function runDatasetCli(argv: string[], io: CliIo): Promise<number> {
  const [command, source, ...rest] = argv;
  if (command !== 'inspect' || !source || rest.length > 0) {
    io.stderr(USAGE + '\n');
    return 2;
  }
  try {
    await inspect(source, io);
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
