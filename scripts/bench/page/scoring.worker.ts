// Scoring benchmark, in a module worker: val.csv parsed with the app's parser, one synthetic
// deterministic prediction and explanation per row, then the app's scoreRecords timed under both
// protocols (jieba's start-up timed apart). The same predictions come back as JSONL, so that the
// Node CLI can score them too and the two can be compared.
import { parseDataset } from '../../../src/lib/dataset/parse';
import { questionId } from '../../../src/lib/dataset/ids';
import { mulberry32 } from '../../../src/lib/random';
import type { DatasetRow } from '../../../src/lib/dataset/types';
import { scoreRecords } from '../../../src/lib/scoring';
import type { ProtocolId, ScoreMetrics, ScoringRecord } from '../../../src/lib/scoring';
import { loadJieba } from '../../../src/lib/scoring/jieba';

export interface ScoringBenchOptions {
  csvUrl: string;
  repeats: number;
  seed: number;
}

export interface ProtocolTiming {
  protocol: ProtocolId;
  /** scoreRecords wall time of each repeat, in order (the first one runs cold). */
  ms: number[];
  metrics: ScoreMetrics;
  /** Every repeat gave the same metrics. */
  stable: boolean;
}

export interface ScoringBenchResult {
  rows: number;
  fetchMs: number;
  parseMs: number;
  buildMs: number;
  char: ProtocolTiming;
  jieba: ProtocolTiming & { initMs: number };
  /** The predictions as the CLI reads them (one line per row). */
  jsonl: string;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ScoringBenchOptions>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = async ({ data }) => {
  try {
    scope.postMessage({ ok: true, result: await run(data) });
  } catch (err) {
    scope.postMessage({ ok: false, error: String((err as Error)?.stack ?? err) });
  }
};

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

const FILLER = [...'的是在了和有病者治疗患应可'];

/**
 * One row's synthetic answer: 5% unparsed, 45% the gold answer, else a random option letter.
 * Explanation: the reference with about 8% of its characters dropped and 8% replaced by common
 * characters, so that BLEU and ROUGE see partial matches of realistic length.
 */
function predict(r: DatasetRow, rand: () => number): { answer: string; explanation: string } {
  const u = rand();
  const answer =
    u < 0.05
      ? ''
      : u < 0.5 && r.answer !== ''
        ? r.answer
        : r.options[Math.floor(rand() * r.options.length)].key;
  let explanation = '';
  for (const ch of r.explanation) {
    const v = rand();
    if (v < 0.08) continue;
    explanation += v < 0.16 ? FILLER[Math.floor(rand() * FILLER.length)] : ch;
  }
  return { answer, explanation };
}

function time(
  protocol: ProtocolId,
  records: ScoringRecord[],
  repeats: number,
  wordTokenizer?: (text: string) => string[],
): ProtocolTiming {
  const ms: number[] = [];
  const seen: string[] = [];
  let metrics: ScoreMetrics | null = null;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    const score = scoreRecords(records, { protocol, wordTokenizer });
    ms.push(performance.now() - t);
    metrics = score.metrics;
    seen.push(JSON.stringify(score));
  }
  return { protocol, ms, metrics: metrics!, stable: new Set(seen).size === 1 };
}

async function run({ csvUrl, repeats, seed }: ScoringBenchOptions): Promise<ScoringBenchResult> {
  let t = performance.now();
  const response = await fetch(csvUrl);
  if (!response.ok) throw new Error(`${csvUrl}: HTTP ${response.status}`);
  const body = new Uint8Array(await response.arrayBuffer());
  const fetchMs = performance.now() - t;

  t = performance.now();
  const rows: DatasetRow[] = [];
  await parseDataset(once(body), { name: csvUrl }, (batch) => {
    rows.push(...batch);
  });
  const parseMs = performance.now() - t;

  t = performance.now();
  const rand = mulberry32(seed);
  const lines: string[] = [];
  const records: ScoringRecord[] = rows.map((r) => {
    const p = predict(r, rand);
    lines.push(JSON.stringify({ row: r.row, answer: p.answer, explanation: p.explanation }));
    // What the app's report worker builds for a generate run (scoringRecordOf).
    return {
      questionId: questionId('cmexam/val', r.row),
      row: r.row,
      gold: r.answer,
      prediction: p.answer,
      status: p.answer === '' ? 'unparsed' : 'parsed',
      explanation: p.explanation,
      reference: r.explanation,
      annotations: r.annotations,
      optionProbs: null,
    };
  });
  const buildMs = performance.now() - t;

  const char = time('cmexam-char', records, repeats);
  t = performance.now();
  const cut = await loadJieba();
  const initMs = performance.now() - t;
  const jieba = { ...time('cmexam-jieba', records, repeats, cut), initMs };
  return {
    rows: rows.length,
    fetchMs,
    parseMs,
    buildMs,
    char,
    jieba,
    jsonl: lines.join('\n') + '\n',
  };
}
