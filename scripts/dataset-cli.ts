// `npm run dataset -- inspect <file-or-url>`: the app's own parser, run in Node.
import { createReadStream } from 'node:fs';
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

async function inspect(source: string): Promise<void> {
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
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

async function main(argv: string[]): Promise<number> {
  const [command, source, ...rest] = argv;
  if (command !== 'inspect' || !source || rest.length > 0) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  try {
    await inspect(source);
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
    process.stderr.write(`cannot read ${source} as a dataset: ${reason}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
