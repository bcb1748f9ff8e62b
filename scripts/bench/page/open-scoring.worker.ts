// Open-ended scoring benchmark, in a module worker: N synthetic items (reference and output of
// about 200 characters each, made of common medical words so that jieba cuts real words, the
// output a noisy copy of the reference), scored by the app's scoreOpen under qilin-open with
// jieba (its start-up timed apart). The items come back as Huatuo-shaped JSONL and the outputs
// as prediction lines, for the Node CLI to score the same.
import { mulberry32 } from '../../../src/lib/random';
import { scoreOpen, type OpenMetrics, type OpenRecord } from '../../../src/lib/scoring';
import { loadJieba } from '../../../src/lib/scoring/jieba';

export interface OpenBenchOptions {
  items: number;
  repeats: number;
  seed: number;
}

export interface OpenBenchResult {
  items: number;
  chars: number;
  jiebaInitMs: number;
  ms: number[];
  metrics: OpenMetrics;
  stable: boolean;
  dataset: string;
  predictions: string;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<OpenBenchOptions>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = async ({ data }) => {
  try {
    scope.postMessage({ ok: true, result: await run(data) });
  } catch (err) {
    scope.postMessage({ ok: false, error: String((err as Error)?.stack ?? err) });
  }
};

const WORDS = [
  ...'患者 建议 医生 治疗 检查 症状 发热 咳嗽 头痛 休息 饮食 药物 服用 注意 及时 就医 血压 血糖 感染 炎症 手术 恢复 观察 复查 营养 睡眠 运动 心脏 肺部 肝脏 肾脏 疼痛 减轻 加重 可能 需要 进行 明确 诊断 原因'.split(
    ' ',
  ),
  '，',
  '。',
];

function text(rand: () => number, chars: number): string {
  let out = '';
  while (out.length < chars) out += WORDS[Math.floor(rand() * WORDS.length)];
  return out;
}

/** The reference with about a quarter of its characters dropped or replaced, and some spaces. */
function noisy(reference: string, rand: () => number): string {
  let out = '';
  for (const ch of reference) {
    const v = rand();
    if (v < 0.1) continue;
    if (v < 0.2) out += text(rand, 1)[0];
    else if (v < 0.22) out += ' ' + ch;
    else out += ch;
  }
  return out;
}

async function run(o: OpenBenchOptions): Promise<OpenBenchResult> {
  const rand = mulberry32(o.seed);
  const records: OpenRecord[] = [];
  const dataset: string[] = [];
  const predictions: string[] = [];
  let chars = 0;
  for (let i = 0; i < o.items; i++) {
    const reference = text(rand, 200);
    const output = noisy(reference, rand);
    chars += reference.length + output.length;
    const source = `s${i % 8}`;
    records.push({
      questionId: `bench/${i}`,
      row: i,
      output,
      references: [reference],
      annotations: { source },
    });
    dataset.push(JSON.stringify({ questions: `合成问题${i}`, answers: reference, source }));
    predictions.push(JSON.stringify({ row: i, output }));
  }
  let t = performance.now();
  const cut = await loadJieba();
  const jiebaInitMs = performance.now() - t;
  const ms: number[] = [];
  const seen: string[] = [];
  let metrics: OpenMetrics | null = null;
  for (let r = 0; r < o.repeats; r++) {
    t = performance.now();
    const score = scoreOpen(records, { protocol: 'qilin-open', wordTokenizer: cut });
    ms.push(performance.now() - t);
    metrics = score.metrics;
    seen.push(JSON.stringify(score.metrics));
  }
  return {
    items: o.items,
    chars,
    jiebaInitMs,
    ms,
    metrics: metrics!,
    stable: seen.every((s) => s === seen[0]),
    dataset: dataset.join('\n') + '\n',
    predictions: predictions.join('\n') + '\n',
  };
}
