// Local stand-in for the dataset hosts: serves ../shared/cmexam/val.csv at the official raw-file
// URL shape, a synthetic train.csv, plus synthetic bad inputs, on 127.0.0.1 only. Usage: node data-server.mjs [port]
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
// Run with `node --import tsx` so that the tiny model generator (TypeScript) can be imported.
import { buildTinyModel, DEFAULT_TINY_MODEL_OPTIONS } from '../../scripts/tiny-model/model.ts';

const here = dirname(fileURLToPath(import.meta.url));
const shared = process.env.CMEXAM_SHARED ?? resolve(here, '../../../shared/cmexam');
const port = Number(process.argv[2] ?? 4174);
const VAL = resolve(shared, 'val.csv');
if (!existsSync(VAL)) {
  console.error(`data-server: ${VAL} not found (set CMEXAM_SHARED)`);
  process.exit(1);
}
const val = readFileSync(VAL);
const webllmShared = process.env.WEBLLM_SHARED ?? resolve(shared, '../webllm');
export const WEBLLM_LIBRARY = 'Qwen2-0.5B-Instruct-q4f32_1-ctx4k_cs1k-webgpu.wasm';
const OFFICIAL = '/williamliujl/CMExam/main/data/';

const header = 'Question,Options,Answer,Explanation\n';
const q = (question, answer = 'A') => `"${question}","A 甲\nB 乙\nC 丙",${answer},"解释"\n`;
// Synthetic questions with annotations (disease group, difficulty) for the report's breakdowns.
const annotated = (() => {
  const groups = ['心血管', '呼吸', '消化'];
  let csv = 'Question,Options,Answer,Explanation,Disease Group,Difficulty level\n';
  for (let i = 0; i < 24; i++) {
    const answer = 'ABCDE'[(i * 7) % 5];
    csv += `"合成题${i}：下列哪项正确","A 甲${i}\nB 乙${i}\nC 丙${i}\nD 丁${i}\nE 戊${i}",${answer},"合成解释${i}，选${answer}。",${groups[i % 3]},${(i % 3) + 1}\n`;
  }
  return csv;
})();

// A synthetic stand-in for CMExam's train split, as large as all of CMExam (68,119 rows), for
// few-shot examples and for killing an import at random moments. No CMExam content.
const TRAIN_ROWS = 68_119;
const train = (() => {
  const lines = ['Question,Options,Answer,Explanation'];
  for (let i = 0; i < TRAIN_ROWS; i++) {
    const answer = 'ABCDE'[(i * 3) % 5];
    lines.push(
      `"训练合成题${i}：关于虚构指标${i % 97}，下列哪项正确","A 甲项${i}\nB 乙项${i}\nC 丙项${i}\nD 丁项${i}\nE 戊项${i}",${answer},"训练合成解释${i}：选${answer}，因为这是为测试而编写的题目。"`,
    );
  }
  return Buffer.from(lines.join('\n') + '\n');
})();

// Synthetic exam questions: 12, of which rows 2, 5 and 9 are multi-answer, with annotations.
const examCsv = (() => {
  const groups = ['心血管', '呼吸', '消化'];
  let csv = 'Question,Options,Answer,Explanation,Disease Group,Difficulty level\n';
  for (let i = 0; i < 12; i++) {
    const answer = i === 2 ? 'AC' : i === 5 ? 'BDE' : i === 9 ? 'AB' : 'ABCDE'[(i * 3) % 5];
    csv += `"考试合成题${i}：下列哪项正确","A 甲${i}\nB 乙${i}\nC 丙${i}\nD 丁${i}\nE 戊${i}",${answer},"考试合成解释${i}，选${answer}。",${groups[i % 3]},${(i % 3) + 1}\n`;
  }
  return csv;
})();

// Synthetic open-ended items in Huatuo-26M's shape (questions, answers), with a source column
// for the report's breakdowns; the last one has a list of two answers. No Huatuo content.
const huatuoJsonl = (() => {
  const lines = [];
  for (let i = 0; i < 6; i++) {
    lines.push(
      JSON.stringify({
        questions: `合成开放题${i}：出现虚构症状${i}应该怎么办？`,
        answers:
          i === 5
            ? ['建议多休息，多喝水。', '建议及时就医。']
            : `合成参考答案${i}：建议多休息，多喝水，必要时就医。`,
        source: ['甲站', '乙站'][i % 2],
      }),
    );
  }
  return lines.join('\n') + '\n';
})();

// CMB's test shape (ids, no answers) and its answer key served apart. Synthetic.
const cmbTest = JSON.stringify(
  [1, 2].map((id) => ({
    id,
    exam_type: '护理考试',
    exam_class: '护士',
    exam_subject: '基础护理',
    question: `合成CMB测试题${id}`,
    question_type: id === 1 ? '单项选择题' : '多项选择题',
    option: { A: '甲', B: '乙', C: '丙', D: '丁' },
  })),
);
const cmbAnswers = JSON.stringify([
  { id: 1, exam_type: '护理考试', exam_class: '护士', question_type: '单项选择题', answer: 'C' },
  { id: 2, exam_type: '护理考试', exam_class: '护士', question_type: '多项选择题', answer: 'DB' },
]);

const fixtures = {
  'cmb-test.json': ['application/json', cmbTest],
  'cmb-test-answers.json': ['application/json', cmbAnswers],
  'huatuo.jsonl': ['application/json', huatuoJsonl],
  'exam.csv': ['text/csv', examCsv],
  'annotated.csv': ['text/csv', annotated],
  'page.csv': [
    'text/html',
    '<!DOCTYPE html>\n<html><head><title>CMExam</title></head><body>Not a file</body></html>\n',
  ],
  'missing-columns.csv': ['text/csv', 'Question,Explanation\n题,解释\n'],
  'gbk.csv': [
    'text/csv',
    Buffer.concat([
      Buffer.from(header + q('合成题一')),
      Buffer.from([0xd6, 0xd0, 0xce, 0xc4, 0x2c, 0x0a]),
    ]),
  ],
  'malformed.csv': [
    'text/csv',
    header +
      q('合成题一') +
      '"",A 甲,A,\n' +
      q('合成题三', 'Z') +
      'only,three,fields\n' +
      q('合成题五', 'B'),
  ],
  'xss.csv': [
    'text/csv',
    header + q('<img src=x onerror=alert(1)> 合成题') + q('<script>alert(2)</script>合成题二', 'B'),
  ],
  'crlf-bom.csv': [
    'text/csv',
    '\uFEFF' +
      (header + q('合成题一') + q('合成题二', 'C'))
        .replace(/"解释"\n/g, '"解释"\r\n')
        .replace('Explanation\n', 'Explanation\r\n'),
  ],
};

// A minimal MLC chat config: enough for web-llm to go on to the next artifact.
const mlcConfig = JSON.stringify({
  model_type: 'llama',
  vocab_size: 32,
  context_window_size: 1024,
  sliding_window_size: -1,
  attention_sink_size: 0,
  prefill_chunk_size: 128,
  temperature: 1,
  top_p: 1,
  repetition_penalty: 1,
  presence_penalty: 0,
  frequency_penalty: 0,
  tokenizer_files: ['tokenizer.json'],
  tokenizer_info: {
    token_postproc_method: 'byte_fallback',
    prepend_space_in_encode: false,
    strip_space_in_decode: false,
  },
  conv_template: {
    name: 'synthetic',
    system_template: '{system_message}',
    system_message: '',
    roles: { user: 'U', assistant: 'A' },
    seps: ['\n'],
    role_content_sep: ': ',
    role_empty_sep: ':',
    stop_str: [],
    stop_token_ids: [2],
  },
});

const tinyModel = Buffer.from(buildTinyModel({ ...DEFAULT_TINY_MODEL_OPTIONS }).bytes);

const requests = new Map();
let flakyServed = false;
const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  let path = url.pathname;
  const cors = { 'Access-Control-Allow-Origin': '*' };
  if (path === '/health') return void res.writeHead(200, cors).end('ok');
  if (path === '/requests') {
    // Requests so far for one path (tests run in parallel, so counts are per path).
    const of = url.searchParams.get('path') ?? '';
    return void res.writeHead(200, cors).end(String(requests.get(of) ?? 0));
  }
  requests.set(path, (requests.get(path) ?? 0) + 1);
  // `/p/<tag>/…` serves the same as `/…`, so that a test can count its own requests.
  if (/^\/p\/[\w-]+\//.test(path)) path = path.replace(/^\/p\/[\w-]+/, '');
  const status = /^\/status\/(\d{3})$/.exec(path);
  if (status) return void res.writeHead(Number(status[1]), cors).end('error page');
  if (path === OFFICIAL + 'val.csv' || path === '/nocors' + OFFICIAL + 'val.csv') {
    const headers = { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Length': val.length };
    return void res
      .writeHead(200, path.startsWith('/nocors') ? headers : { ...headers, ...cors })
      .end(val);
  }
  if (path === OFFICIAL + 'train.csv') {
    return void res
      .writeHead(200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Length': train.length,
        ...cors,
      })
      .end(train);
  }
  if (path === '/flaky' + OFFICIAL + 'val.csv') {
    // Fails the first time, then serves the file: for the Retry button.
    if (!flakyServed) {
      flakyServed = true;
      return void res.writeHead(503, cors).end('try later');
    }
    return void res.writeHead(200, { 'Content-Type': 'text/csv', ...cors }).end(val);
  }
  if (path === '/slow' + OFFICIAL + 'val.csv') {
    // About 1 MB/s, so a test can cancel mid-download.
    res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Length': val.length, ...cors });
    for (let i = 0; i < val.length && !res.destroyed; i += 32768) {
      res.write(val.subarray(i, i + 32768));
      await new Promise((r) => setTimeout(r, 30));
    }
    return void res.end();
  }
  // A real MLC model library (../shared/webllm) and the random weights generated for it by
  // `npm run model:mlc` into CMEXAM_MLC_DIR (tests/e2e/webllm-real.spec.ts).
  if (path.startsWith('/mlc-real/')) {
    const mlc = { ...cors, 'Cross-Origin-Resource-Policy': 'cross-origin' };
    const rel = path.slice('/mlc-real/'.length);
    const file =
      rel === 'lib.wasm'
        ? resolve(webllmShared, WEBLLM_LIBRARY)
        : process.env.CMEXAM_MLC_DIR && /^qwen2-random\/resolve\/main\/[\w.-]+$/.test(rel)
          ? resolve(process.env.CMEXAM_MLC_DIR, rel.slice('qwen2-random/'.length))
          : null;
    if (!file || !existsSync(file)) return void res.writeHead(404, mlc).end('not found');
    const body = readFileSync(file);
    const type = file.endsWith('.json')
      ? 'application/json; charset=utf-8'
      : file.endsWith('.wasm')
        ? 'application/wasm'
        : 'application/octet-stream';
    return void res
      .writeHead(200, { ...mlc, 'Content-Type': type, 'Content-Length': body.length })
      .end(body);
  }
  // MLC model artifacts (web-llm appends resolve/main/ to a model URL).
  if (path.startsWith('/mlc/')) {
    const mlc = { ...cors, 'Cross-Origin-Resource-Policy': 'cross-origin' };
    if (path === '/mlc/badjson/resolve/main/mlc-chat-config.json') {
      return void res
        .writeHead(200, { ...mlc, 'Content-Type': 'text/html' })
        .end('<!DOCTYPE html><html><body>Not a config</body></html>');
    }
    if (path === '/mlc/good/resolve/main/mlc-chat-config.json') {
      return void res.writeHead(200, { ...mlc, 'Content-Type': 'application/json' }).end(mlcConfig);
    }
    if (path.startsWith('/mlc/slow/')) {
      // Trickles bytes until the client gives up, so a test can cancel mid-download.
      res.writeHead(200, { ...mlc, 'Content-Type': 'application/octet-stream' });
      const timer = setInterval(() => res.write(' '), 200);
      req.on('close', () => clearInterval(timer));
      return;
    }
    return void res.writeHead(404, mlc).end('not found');
  }
  if (path === '/ranged/models/tiny.gguf') {
    // The tiny model with range requests (206), as Hugging Face serves files: a merge reads
    // tensors by range.
    const ranged = {
      ...cors,
      'Access-Control-Allow-Headers': 'range',
      'Access-Control-Expose-Headers': 'content-range, content-length',
      'Accept-Ranges': 'bytes',
    };
    if (req.method === 'OPTIONS') return void res.writeHead(204, ranged).end();
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!m) {
      return void res
        .writeHead(200, { ...ranged, 'Content-Length': tinyModel.length })
        .end(tinyModel);
    }
    const start = Number(m[1]);
    if (start >= tinyModel.length) {
      return void res
        .writeHead(416, { ...ranged, 'Content-Range': `bytes */${tinyModel.length}` })
        .end();
    }
    const end = Math.min(m[2] === '' ? tinyModel.length - 1 : Number(m[2]), tinyModel.length - 1);
    const body = tinyModel.subarray(start, end + 1);
    return void res
      .writeHead(206, {
        ...ranged,
        'Content-Type': 'application/octet-stream',
        'Content-Length': body.length,
        'Content-Range': `bytes ${start}-${end}/${tinyModel.length}`,
      })
      .end(body);
  }
  if (path === '/models/tiny.gguf' || path === '/nocors/models/tiny.gguf') {
    const headers = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': tinyModel.length,
    };
    return void res
      .writeHead(200, path.startsWith('/nocors') ? headers : { ...headers, ...cors })
      .end(tinyModel);
  }
  const name = path.replace(/^\/fixtures\//, '');
  if (path.startsWith('/fixtures/') && fixtures[name]) {
    const [type, body] = fixtures[name];
    return void res.writeHead(200, { 'Content-Type': type, ...cors }).end(body);
  }
  res.writeHead(404, cors).end('not found');
});
server.listen(port, '127.0.0.1', () => console.log(`data-server on http://127.0.0.1:${port}`));
