// `npm run score -- --dataset <csv|json|jsonl> --predictions <jsonl|results.json>
//                   [--protocol cmexam-char|cmexam-jieba|qilin-open|open-char]`
// Scores predictions made anywhere with the app's own scoring core, and prints the same numbers
// as the app's results export. The format of both inputs: docs/results-format.md.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DatasetError } from '../src/lib/dataset/errors';
import { customSplitName, questionId, splitIdFor } from '../src/lib/dataset/ids';
import { parseDataset } from '../src/lib/dataset/parse';
import { normalizeAnswer } from '../src/lib/dataset/schema';
import type { DatasetRow } from '../src/lib/dataset/types';
import {
  parseResults,
  RESULTS_FORMAT,
  ResultsFileError,
  writesExplanations,
  type ResultsFile,
} from '../src/lib/report/results';
import {
  benchmarkScores,
  DEFAULT_OPEN_PROTOCOL,
  isOpenProtocolId,
  isProtocolId,
  OPEN_PROTOCOL_IDS,
  PROTOCOL_IDS,
  scoreOpen,
  scoreRecords,
  type OpenProtocolId,
  type OpenRecord,
} from '../src/lib/scoring';
import type { BenchmarkFormat, ItemKind } from '../src/lib/dataset/types';
import type { ProtocolId, ScoreResult, ScoringRecord, WordTokenizer } from '../src/lib/scoring';

export const USAGE = `usage: npm run score -- --dataset <file> --predictions <file> [--protocol <id>]

Scores predictions with the app's scoring code and prints, as JSON on stdout, what the app's
results export holds: metrics, breakdowns, breakdown_summary, difficulty, calibration,
position_bias and circular.

  --dataset <file>      the questions: CSV, JSON or JSONL in CMExam's shape (as the app reads)
  --dataset <file>      or any shape the app reads (CMB, MedQA, CMMLU, MLEC-QA; open-ended:
                        Huatuo-26M, CMB-Clin, JSONL/CSV with question and answer)
  --predictions <file>  either JSONL, one object a line:
                          {"row": 0, "answer": "A", "explanation": "…"}
                        row: 0-based data row of the dataset; answer: the predicted letters
                        ("" or null when not parsed); explanation: optional
                        or a results file exported by the app (format "${RESULTS_FORMAT}")
                        For open-ended items, lines {"row": 0, "output": "<model text>"}
                        (row: 0-based item index); prints {"metrics", "breakdowns"}.
  --protocol <id>       choice: ${PROTOCOL_IDS.join(' | ')} (default cmexam-char)
                        open:   ${OPEN_PROTOCOL_IDS.join(' | ')} (default ${DEFAULT_OPEN_PROTOCOL})
  -h, --help            this text

Dataset rows without a prediction are left out (a warning says how many), as for a shard.
Text metrics (BLEU, ROUGE) are null when no prediction line has an "explanation".
Exit status: 0 scored, 2 a bad argument or input (the reason is on stderr).`;

/** An input the CLI refuses; printed as is, exit status 2. */
export class CliError extends Error {}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

interface Dataset {
  kind: ItemKind;
  shape: BenchmarkFormat;
  rows: Map<number, DatasetRow>;
  /** Data rows the parser could not read, with the reason. */
  problems: Map<number, string>;
  splitId: string;
  sha256: string;
}

interface Predictions {
  records: ScoringRecord[];
  /** Where the records came from, for messages. */
  kind: 'jsonl' | 'results';
  explains: boolean;
  file: ResultsFile | null;
}

async function readDataset(path: string): Promise<Dataset> {
  const stream = createReadStream(path);
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (err) {
    throw new CliError(`cannot read the dataset ${path}: ${fileReason(err, path)}`);
  }
  const rows = new Map<number, DatasetRow>();
  try {
    const summary = await parseDataset(
      stream as AsyncIterable<Uint8Array>,
      { name: path, maxProblems: Infinity },
      (batch) => {
        for (const r of batch) rows.set(r.row, r);
      },
    );
    return {
      kind: summary.kind,
      shape: summary.shape,
      rows,
      problems: new Map(summary.problems.map((p) => [p.row, p.message])),
      splitId: splitIdFor('custom', customSplitName(path)),
      sha256: summary.sha256,
    };
  } catch (err) {
    const reason = err instanceof DatasetError || err instanceof Error ? err.message : String(err);
    throw new CliError(`cannot read ${path} as a dataset: ${reason}`);
  }
}

function fileReason(err: unknown, path: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `no such file: ${path}`;
  if (code === 'EISDIR') return `${path} is a folder`;
  return err instanceof Error ? err.message : String(err);
}

/** The dataset's row `row`, or why there is none (for a message naming `where`). */
function datasetRow(dataset: Dataset, row: unknown, where: string): DatasetRow {
  if (typeof row !== 'number' || !Number.isInteger(row) || row < 0)
    throw new CliError(`${where}: "row" must be a 0-based data row number, found ${show(row)}`);
  const found = dataset.rows.get(row);
  if (found) return found;
  const problem = dataset.problems.get(row);
  throw new CliError(
    problem !== undefined
      ? `${where}: data row ${row} of the dataset could not be read (${problem}), so it cannot be scored`
      : `${where}: the dataset has no data row ${row} (its data rows are 0…${dataset.rows.size + dataset.problems.size - 1})`,
  );
}

const show = (v: unknown): string => {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

/**
 * The objects of a predictions JSONL file, one a line (blank lines skipped, a byte-order mark
 * dropped), each with its dataset row; a line that is not an object, names no row of the
 * dataset, or repeats a row is refused, naming the line. `fields` is the object shape shown.
 */
function* predictionLines(
  text: string,
  dataset: Dataset,
  path: string,
  fields: string,
): Generator<{ line: number; where: string; obj: Record<string, unknown>; q: DatasetRow }> {
  const seen = new Map<number, number>();
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const where = `${path} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CliError(`${where}: not valid JSON: ${show(line)}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new CliError(`${where}: expected an object ${fields}, found ${show(value)}`);
    const obj = value as Record<string, unknown>;
    const q = datasetRow(dataset, obj.row, where);
    const previous = seen.get(q.row);
    if (previous)
      throw new CliError(
        `${where}: a second prediction for row ${q.row} (the first is on line ${previous})`,
      );
    seen.set(q.row, i + 1);
    yield { line: i + 1, where, obj, q };
  }
}

/**
 * Predictions JSONL → records, in data-row order (the order of a full run in the app). Blank
 * lines are skipped; anything else wrong names its line.
 */
export function recordsFromJsonl(text: string, dataset: Dataset, path: string): Predictions {
  const byRow = new Map<number, { line: number; answer: string; explanation: unknown }>();
  let explains = false;
  for (const { line, where, obj, q } of predictionLines(
    text,
    dataset,
    path,
    '{"row": …, "answer": …}',
  )) {
    if (!('answer' in obj))
      throw new CliError(`${where}: no "answer" (use "" for an answer that was not parsed)`);
    const answer = obj.answer === null ? '' : obj.answer;
    const letters = typeof answer === 'string' ? normalizeAnswer(answer) : null;
    if (letters === null)
      throw new CliError(
        `${where}: "answer" must be option letters such as "A" or "BD", or "", found ${show(obj.answer)}`,
      );
    if ('explanation' in obj) {
      if (obj.explanation !== null && typeof obj.explanation !== 'string')
        throw new CliError(
          `${where}: "explanation" must be a string or null, found ${show(obj.explanation)}`,
        );
      explains = true;
    }
    byRow.set(q.row, { line, answer: letters, explanation: obj.explanation });
  }
  if (byRow.size === 0) throw new CliError(`${path}: no predictions in the file`);
  const records = [...byRow.keys()]
    .sort((a, b) => a - b)
    .map((row): ScoringRecord => {
      const q = dataset.rows.get(row)!;
      const p = byRow.get(row)!;
      // As an answer of the app: `parsed` with letters, `unparsed` without.
      return {
        questionId: questionId(dataset.splitId, row),
        row,
        gold: q.answer,
        prediction: p.answer,
        status: p.answer === '' ? 'unparsed' : 'parsed',
        // Like the app's generate method: an answer without an explanation has an empty one.
        explanation: explains ? (typeof p.explanation === 'string' ? p.explanation : '') : null,
        reference: q.explanation,
        annotations: q.annotations,
        optionProbs: null,
      };
    });
  return { records, kind: 'jsonl', explains, file: null };
}

/**
 * A results file's answers → records, matched to the dataset by row, in the file's order (the
 * order its numbers were computed in). Gold answers must agree: a file of another dataset is
 * refused.
 */
export function recordsFromResults(file: ResultsFile, dataset: Dataset, path: string): Predictions {
  const explains = writesExplanations(file.run.spec);
  const seen = new Map<number, number>();
  const records = file.records.map((r, i): ScoringRecord => {
    const where = `${path} records[${i}] (${r.question_id})`;
    const q = datasetRow(dataset, r.row, where);
    const previous = seen.get(r.row);
    if (previous !== undefined)
      throw new CliError(
        `${where}: a second answer for row ${r.row} (the first is records[${previous}])`,
      );
    seen.set(r.row, i);
    if (r.gold !== q.answer)
      throw new CliError(
        `${where}: gold answer ${show(r.gold)}, but row ${r.row} of the dataset has ${show(q.answer)}: the file was made on another dataset`,
      );
    // scoringRecordOf's record, with the dataset's facts.
    return {
      questionId: r.question_id,
      row: r.row,
      gold: q.answer,
      prediction: r.prediction,
      status: r.status,
      explanation: explains ? (r.explanation ?? '') : null,
      reference: q.explanation,
      annotations: q.annotations,
      optionProbs: r.option_probs,
      ...(r.rotations
        ? {
            rotations: r.rotations.map((x) => ({
              shift: x.shift,
              prediction: x.prediction,
              correct: x.correct,
            })),
          }
        : {}),
    };
  });
  if (records.length === 0) throw new CliError(`${path}: the results file has no answers`);
  return { records, kind: 'results', explains, file };
}

/** Open items: JSONL lines {"row", "output"} → records in row order. */
export function openRecordsFromJsonl(text: string, dataset: Dataset, path: string): OpenRecord[] {
  const byRow = new Map<number, { line: number; output: string | null }>();
  for (const { line, where, obj, q } of predictionLines(
    text,
    dataset,
    path,
    '{"row": …, "output": …}',
  )) {
    if (!('output' in obj))
      throw new CliError(`${where}: no "output" (use "" for a model that said nothing)`);
    if (obj.output !== null && typeof obj.output !== 'string')
      throw new CliError(`${where}: "output" must be a string or null, found ${show(obj.output)}`);
    byRow.set(q.row, { line, output: obj.output });
  }
  if (byRow.size === 0) throw new CliError(`${path}: no predictions in the file`);
  return [...byRow.keys()]
    .sort((a, b) => a - b)
    .map((row) => {
      const q = dataset.rows.get(row)!;
      return {
        questionId: questionId(dataset.splitId, row),
        row,
        output: byRow.get(row)!.output,
        references: q.references ?? [],
        annotations: q.annotations,
      };
    });
}

async function scoreOpenCli(
  dataset: Dataset,
  predictionsPath: string,
  protocol: OpenProtocolId,
  io: CliIo,
): Promise<number> {
  let text: string;
  try {
    text = await readFile(predictionsPath, 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read the predictions ${predictionsPath}: ${fileReason(err, predictionsPath)}`,
    );
  }
  const records = openRecordsFromJsonl(text, dataset, predictionsPath);
  const missing = dataset.rows.size - records.length;
  if (missing > 0)
    io.stderr(
      `warning: ${missing} of the dataset's ${dataset.rows.size} items have no prediction and are left out\n`,
    );
  const t0 = performance.now();
  const { loadJieba } = await import('../src/lib/scoring/jieba');
  const wordTokenizer = await loadJieba();
  io.stderr(`jieba loaded in ${(performance.now() - t0).toFixed(0)} ms\n`);
  const t = performance.now();
  const score = scoreOpen(records, { protocol, wordTokenizer });
  io.stderr(
    `scored ${records.length} items in ${(performance.now() - t).toFixed(1)} ms (protocol ${protocol})\n`,
  );
  io.stdout(
    JSON.stringify({ metrics: score.metrics, breakdowns: score.breakdowns }, null, 2) + '\n',
  );
  return 0;
}

export async function readPredictions(path: string, dataset: Dataset): Promise<Predictions> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the predictions ${path}: ${fileReason(err, path)}`);
  }
  // A results file is one JSON object with a "format"; anything else is read as JSONL (a
  // one-line JSONL file is a JSON object too, but without "format").
  let whole: unknown = undefined;
  try {
    whole = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    // not one JSON document: JSONL
  }
  if (typeof whole === 'object' && whole !== null && !Array.isArray(whole) && 'format' in whole) {
    let file: ResultsFile;
    try {
      file = parseResults(text.replace(/^\uFEFF/, ''));
    } catch (err) {
      if (err instanceof ResultsFileError) throw new CliError(`${path}: ${err.message}`);
      throw err;
    }
    return recordsFromResults(file, dataset, path);
  }
  return recordsFromJsonl(text, dataset, path);
}

export async function runScoreCli(argv: string[], io: CliIo): Promise<number> {
  let values: { dataset?: string; predictions?: string; protocol?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        dataset: { type: 'string' },
        predictions: { type: 'string' },
        protocol: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    io.stderr(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE + '\n');
    return 0;
  }
  if (!values.dataset || !values.predictions) {
    io.stderr(`--dataset and --predictions are both needed.\n\n${USAGE}\n`);
    return 2;
  }
  if (
    values.protocol !== undefined &&
    !isProtocolId(values.protocol) &&
    !isOpenProtocolId(values.protocol)
  ) {
    io.stderr(
      `unknown protocol ${show(values.protocol)}: use ${[...PROTOCOL_IDS, ...OPEN_PROTOCOL_IDS].join(', ')}.\n\n${USAGE}\n`,
    );
    return 2;
  }
  try {
    const dataset = await readDataset(values.dataset);
    if (dataset.kind === 'open') {
      const chosen = values.protocol ?? DEFAULT_OPEN_PROTOCOL;
      if (!isOpenProtocolId(chosen))
        throw new CliError(
          `${values.dataset} holds open-ended items: score them with ${OPEN_PROTOCOL_IDS.join(' or ')}, not ${chosen}`,
        );
      return await scoreOpenCli(dataset, values.predictions, chosen, io);
    }
    const chosen = values.protocol ?? 'cmexam-char';
    if (!isProtocolId(chosen))
      throw new CliError(
        `${values.dataset} holds choice questions: score them with ${PROTOCOL_IDS.join(' or ')}, not ${chosen}`,
      );
    const protocol: ProtocolId = chosen;
    const predictions = await readPredictions(values.predictions, dataset);
    const { records } = predictions;
    const missing = dataset.rows.size - records.length;
    if (missing > 0)
      io.stderr(
        `warning: ${missing} of the dataset's ${dataset.rows.size} rows have no prediction and are left out (scored as a shard of ${records.length})\n`,
      );
    const notOptions = records.filter((r) => {
      const keys = new Set(dataset.rows.get(r.row)!.options.map((o) => o.key));
      return [...r.prediction].some((k) => !keys.has(k));
    }).length;
    if (notOptions > 0)
      io.stderr(
        `warning: ${notOptions} predictions name a letter that is not an option of their row\n`,
      );
    const file = predictions.file;
    if (file?.run.dataset && file.run.dataset.sha256 !== dataset.sha256)
      io.stderr(
        `warning: the results file was made on a dataset file with sha-256 ${file.run.dataset.sha256}; ${values.dataset} has ${dataset.sha256}\n`,
      );

    // As the app's report worker: jieba only when there are words to cut.
    let wordTokenizer: WordTokenizer | undefined;
    if (protocol === 'cmexam-jieba') {
      if (predictions.explains) {
        const t = performance.now();
        const { loadJieba } = await import('../src/lib/scoring/jieba');
        wordTokenizer = await loadJieba();
        io.stderr(`jieba loaded in ${(performance.now() - t).toFixed(0)} ms\n`);
      } else wordTokenizer = () => [];
    }
    const t = performance.now();
    const score: ScoreResult = scoreRecords(records, { protocol, wordTokenizer });
    const ms = performance.now() - t;
    io.stderr(`scored ${records.length} rows in ${ms.toFixed(1)} ms (protocol ${protocol})\n`);
    if (file && file.metrics.protocol === protocol) {
      const same = JSON.stringify(file.metrics) === JSON.stringify(score.metrics);
      io.stderr(
        same
          ? `the results file's own metrics agree\n`
          : `warning: these metrics differ from the ones stored in the results file\n`,
      );
    }
    const out = {
      metrics: score.metrics,
      breakdowns: score.breakdowns,
      breakdown_summary: score.breakdown_summary,
      difficulty: score.difficulty,
      calibration: score.calibration,
      position_bias: score.position_bias,
      circular: score.circular,
      // CMB, CMMLU and MLEC-QA: accuracy as their papers report it.
      ...(() => {
        const benchmark = benchmarkScores(dataset.shape, records);
        return benchmark ? { benchmark } : {};
      })(),
    };
    io.stdout(JSON.stringify(out, null, 2) + '\n');
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(err.message + '\n');
      return 2;
    }
    io.stderr(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runScoreCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
