// Storage and engine stand-ins for unit tests of the run loop and the report service: a fresh
// in-memory database per test, splits stored through the app's own SplitStore, synthetic
// questions (no CMExam content), and a scripted engine whose answers and failures a test sets.
import './browser-apis';
import { AppDatabase, type SplitRecord } from '../../../src/lib/db/database';
import type { DatasetRow } from '../../../src/lib/dataset/types';
import { SplitStore } from '../../../src/lib/dataset/store';
import type {
  Engine,
  EngineDescription,
  GenerateRequest,
  GenerateResult,
  ScoreLettersRequest,
  ScoreLettersResult,
  Timings,
} from '../../../src/lib/engines/types';

let databases = 0;
export function freshDb(): AppDatabase {
  return new AppDatabase(`unit-${process.pid}-${++databases}`);
}

/** Synthetic questions: row i has gold letter `ABCDE`[i % 5], or `AC` where `multi(i)`. */
export function syntheticRows(
  n: number,
  opts: { multi?: (i: number) => boolean; text?: (i: number) => string } = {},
): DatasetRow[] {
  return Array.from({ length: n }, (_, i) => {
    const multi = opts.multi?.(i) ?? false;
    return {
      row: i,
      question: opts.text?.(i) ?? `合成题${i}：下列哪项正确`,
      options: 'ABCDE'.split('').map((key) => ({ key, text: `选项${key}${i}` })),
      answer: multi ? 'AC' : 'ABCDE'[i % 5],
      explanation: `合成解释${i}`,
      annotations: { 'Disease Group': ['甲组', '乙组'][i % 2] },
      multi,
      blankAnswer: false,
      blankExplanation: false,
    };
  });
}

/** Store rows as a complete split, as an import does; `sha256` stands for the file's hash. */
export async function storeSplit(
  db: AppDatabase,
  splitId: string,
  rows: DatasetRow[],
  sha256 = `sha-of-${splitId}-${rows.length}`,
  extra: Partial<SplitRecord> = {},
): Promise<SplitRecord> {
  const store = new SplitStore(db);
  const importId = crypto.randomUUID();
  const [dataset, split] = splitId.split('/');
  await store.beginImport(importId, splitId, `${split}.csv`);
  for (let at = 0; at < rows.length; at += 1000) {
    await store.writeChunk(importId, 1000, rows.slice(at, at + 1000));
  }
  const record: SplitRecord = {
    id: splitId,
    dataset,
    split,
    importId,
    format: 'csv',
    rows: rows.length,
    dataRows: rows.length,
    bytes: 1000,
    sha256,
    sourceUrl: null,
    sourceName: `${split}.csv`,
    importedAt: new Date().toISOString(),
    columns: ['Question', 'Options', 'Answer', 'Explanation'],
    annotationColumns: ['Disease Group'],
    problems: [],
    problemCount: 0,
    stats: {
      rows: rows.length,
      answer_length_histogram: {},
      option_count_histogram: {},
      option_sets: {},
      multi_answer: rows.filter((r) => r.multi).length,
      blank_answers: 0,
      blank_explanations: 0,
      annotation_counts: {},
    },
    chunkRows: 1000,
    ...extra,
  };
  await store.completeImport(record);
  return record;
}

const TIMINGS: Timings = {
  timeToFirstTokenMs: 5,
  prefillTokensPerSecond: 200,
  decodeTokensPerSecond: 0,
  totalMs: 5,
};

/**
 * An engine that answers from a script: `letter` picks the letter a question gets most of the
 * probability (default: always A), `fail` makes a call throw, `generated` is what `generate`
 * returns. Every call is counted; `gate`, when set, holds each call until it resolves.
 */
export class ScriptedEngine implements Engine {
  calls = 0;
  /** Questions as the prompts named them, in the order they were asked. */
  asked: string[] = [];
  letter: (prompt: string) => string = () => 'A';
  fail: (call: number, prompt: string) => boolean = () => false;
  generated = '答案：A';
  /** When set, what `generate` returns for a prompt (else `generated`). */
  generatedFor: ((prompt: string) => string) | null = null;
  /** Every prompt's text, in call order. */
  prompts: string[] = [];
  decodeTps = 40;
  gate: (() => Promise<void>) | null = null;

  constructor(private readonly model = 'Scripted model') {}

  async load(): Promise<EngineDescription> {
    return this.describe();
  }
  async unload(): Promise<void> {}
  interrupt(): void {}
  describe(): EngineDescription {
    return { backend: 'wllama', model: this.model, device: 'scripted' };
  }

  async scoreLetters(req: ScoreLettersRequest): Promise<ScoreLettersResult> {
    const prompt = await this.begin(req.prompt);
    const top = this.letter(prompt);
    const probs = Object.fromEntries(
      req.letters.map((l) => [l, l === top ? 0.6 : 0.4 / (req.letters.length - 1)]),
    );
    return { probs, promptTokens: 10, timings: TIMINGS };
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const prompt = await this.begin(req.prompt);
    return {
      text: req.grammar ? 'AC' : (this.generatedFor?.(prompt) ?? this.generated),
      finishReason: 'stop',
      promptTokens: 10,
      completionTokens: 4,
      timings: { ...TIMINGS, decodeTokensPerSecond: this.decodeTps },
    };
  }

  private async begin(prompt: ScoreLettersRequest['prompt']): Promise<string> {
    const text =
      'messages' in prompt ? prompt.messages.map((m) => m.content).join('\n') : prompt.raw;
    const call = ++this.calls;
    this.prompts.push(text);
    const question = /合成题\d+/.exec(text)?.[0];
    if (question) this.asked.push(question);
    if (this.gate) await this.gate();
    if (this.fail(call, text)) throw new Error(`scripted failure of call ${call}`);
    return text;
  }
}

/** Synthetic open items (no options): row i asks 开放题i with reference 参考答案i. */
export function openRows(n: number, prefix = '开放题'): DatasetRow[] {
  return Array.from({ length: n }, (_, i) => ({
    row: i,
    kind: 'open' as const,
    question: `${prefix}${i}：如何处理`,
    ...(i % 2 === 1 ? { context: `病例${i}的背景` } : {}),
    references: [`参考答案${i}`],
    options: [],
    answer: '',
    explanation: '',
    annotations: { source: ['甲站', '乙站'][i % 2] },
    multi: false,
    blankAnswer: false,
    blankExplanation: true,
  }));
}
