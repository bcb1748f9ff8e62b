// Problems from links, model references, the device, the catalog, exams, exam and results
// files, and the engine: English exactly as before (tests, logs and CLIs read it), and a Message
// beside it that the page shows in Chinese.
import * as Comlink from 'comlink';
import { freshDb, ScriptedEngine, storeSplit, syntheticRows } from './support/db';
import { Runner } from '../../src/lib/eval/runner';
import { canonicalSpec, defaultSpec, runIdFor } from '../../src/lib/eval/spec';
import { describe, expect, it } from 'vitest';
import { linkRequestFor, parseDatasetLink } from '../../src/lib/dataset/url-params';
import { buildWebLlmCatalog } from '../../src/lib/engines/catalog';
import { assessDevice, type DeviceInfo } from '../../src/lib/engines/device';
import { describeEngineError } from '../../src/lib/engines/errors';
import { customMlcRecordFor, parseModelRef } from '../../src/lib/engines/model-ref';
import { parseRunLink } from '../../src/lib/eval/link';
import { checkHandins } from '../../src/lib/exam/class';
import { parseExamFile } from '../../src/lib/exam/files';
import { parseExamLink } from '../../src/lib/exam/link';
import { examSpecProblems, validateExamSpec } from '../../src/lib/exam/spec';
import { english, errorText, messageOf, render, type Message } from '../../src/lib/i18n/translate';
import { parseResults, ResultsFileError } from '../../src/lib/report/results';
import { keepErrorMessages } from '../../src/lib/workers/errors';

const zh = (m: Message) => render('zh', m);
const CHINESE = /[\u4e00-\u9fff]/u;

describe('link problems', () => {
  it('a run link: English as before, Chinese from its messages', () => {
    const r = parseRunLink('?dataset=cmexam&split=val&view=slides&colour=red');
    expect(r.problems).toEqual([
      'Unknown parameter "colour".',
      '"view" must be present, not "slides".',
    ]);
    expect(r.messages.map(english)).toEqual(r.problems);
    expect(r.messages.map(zh)).toEqual([
      '未知参数 "colour"。',
      '"view" 必须为 present，而不是 "slides"。',
    ]);
  });

  it('whole numbers, with their hint, in both languages', () => {
    const r = parseRunLink(
      '?dataset=cmexam&split=val&model=demo:tiny-random&method=choice&prompt=few-shot&k=0',
    );
    expect(r.problems).toEqual([
      '"k" must be a whole number from 1 to 64, not "0" (for no examples use prompt=zero-shot).',
    ]);
    expect(zh(r.messages[0])).toBe(
      '"k" 必须是 1 到 64 之间的整数，而不是 "0"（不要示例请用 prompt=zero-shot）。',
    );
  });

  it('a dataset link and a split a link cannot carry', () => {
    const r = parseDatasetLink('?dataset=cmexam&split=dev');
    expect(r.problems).toEqual(['Unknown CMExam split "dev": use train, val, test.']);
    expect(zh(r.messages[0])).toBe('未知的 CMExam 数据划分 "dev"：请使用 train, val, test。');
    const local = linkRequestFor(
      { id: 'custom/mine', dataset: 'custom', split: 'mine', sourceUrl: null },
      'https://x.test/',
    );
    expect('reason' in local && english(local.reason)).toBe(
      'custom/mine was imported from a local file, which a link cannot carry.',
    );
    expect('reason' in local && zh(local.reason)).toBe(
      'custom/mine 是从本地文件导入的，链接无法携带。',
    );
  });

  it('an exam link', () => {
    const r = parseExamLink('?mode=exam&dataset=cmexam&split=val&title=');
    expect(r.problems).toEqual(['"title" is empty: leave it out for an exam without a title.']);
    expect(zh(r.messages[0])).toBe('"title" 为空：考试不需要标题时请去掉此参数。');
  });
});

describe('model references', () => {
  it('a problem with a model reference, and one from an address check, translate', () => {
    const demo = parseModelRef('demo:huge');
    expect(demo.problems).toEqual(['Unknown demo model "demo:huge": use demo:tiny-random.']);
    expect(zh(demo.messages[0])).toBe('未知的演示模型 "demo:huge"：请使用 demo:tiny-random。');
    const bin = parseModelRef('https://example.org/model.bin');
    expect(bin.problems[0]).toMatch(/^"model": The address does not end in \.gguf/);
    expect(zh(bin.messages[0])).toMatch(/^"model"：该地址不以 \.gguf 结尾/);
  });

  it('a custom MLC model the Model step refuses says why in Chinese', () => {
    let err: unknown;
    try {
      customMlcRecordFor({ id: '', modelUrl: 'x', modelLibUrl: '' });
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toBe(
      'Give the model an id. A custom MLC model needs both its model address (model_url) and its model library (model_lib). The model address must be a full address starting with https:// (got "x").',
    );
    expect(zh(messageOf(err)!)).toBe(
      '请为模型指定 ID。自定义 MLC 模型需要同时给出模型地址（model_url）和模型库（model_lib）。模型地址必须是以 https:// 开头的完整地址（收到的是 "x"）。',
    );
    const engine = describeEngineError(err, { backend: 'webllm' });
    expect(engine.message).toBe((err as Error).message);
    expect(render('zh', engine.i18n!.message)).toMatch(/^请为模型指定 ID。/);
  });
});

describe('device verdicts and the catalog', () => {
  const device: DeviceInfo = {
    webgpu: null,
    webgpuProblem: 'no-adapter',
    deviceMemoryGB: 4,
    hardwareConcurrency: 8,
    crossOriginIsolated: true,
    storage: null,
  };

  it('every verdict has its English text and a Chinese Message', () => {
    const verdicts = assessDevice(device);
    expect(verdicts.map((v) => v.text)).toEqual([
      'WebGPU exists but no GPU adapter was found (blocked, or no supported GPU), so MLC models cannot run. GGUF models on the CPU engine (wllama) still work.',
      'The page is cross-origin isolated: the CPU engine can use up to 8 threads.',
      'The browser reports about 4 GB of memory: prefer models under 1B parameters.',
    ]);
    for (const v of verdicts) {
      expect(english(v.i18n)).toBe(v.text);
      expect(zh(v.i18n)).toMatch(CHINESE);
    }
    expect(zh(verdicts[1].i18n)).toBe('页面已跨源隔离：CPU 引擎最多可使用 8 个线程。');
  });

  it('a GPU named by its vendor and architecture', () => {
    const gpu = assessDevice({
      ...device,
      webgpu: {
        vendor: '',
        architecture: 'swiftshader',
        description: '',
        isFallbackAdapter: true,
        shaderF16: true,
        maxBufferSize: 2 ** 32,
        maxStorageBufferBindingSize: 2 ** 30,
      },
    })[0];
    expect(gpu.text).toBe(
      'WebGPU runs on a software renderer (unknown vendor swiftshader): MLC models load but run very slowly. Prefer the CPU engine or a machine with a GPU.',
    );
    expect(zh(gpu.i18n)).toMatch(/^WebGPU 运行在软件渲染器上（未知厂商 swiftshader）/);
  });

  it('a model that does not fit says why in both languages', () => {
    const [item] = buildWebLlmCatalog(
      [{ model_id: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', model: 'x', model_lib: 'y' } as never],
      { shaderF16: false, vramBudgetMB: null, maxStorageBufferBindingSize: null },
    );
    expect(item.reason).toBe('needs shader-f16 (16-bit floats in shaders), which this GPU lacks');
    expect(zh(item.reasonMessage!)).toBe('需要 shader-f16（着色器中的 16 位浮点），此 GPU 不支持');
  });
});

describe('exams', () => {
  it('an exam spec problem', () => {
    const bad = {
      splitId: 'cmexam/val',
      subset: {},
      seed: 0,
      multi: 'all',
      timeMinutes: 0,
      title: null,
    };
    const inEnglish = validateExamSpec({ ...bad, subset: undefined });
    expect(inEnglish).toEqual([
      '"subset" must be an object, not missing.',
      '"multi" must be one of include, skip, not "all".',
      '"timeMinutes" must be null (no limit) or a whole number from 1 to 1440, not 0.',
    ]);
    expect(examSpecProblems({ ...bad, subset: undefined }).map(zh)).toEqual([
      '"subset" 必须是对象，而不是 缺失。',
      '"multi" 必须是 include, skip 之一，而不是 "all"。',
      '"timeMinutes" 必须为 null（不限时）或 1 到 1440 之间的整数，而不是 0。',
    ]);
  });

  it('a damaged exam file lists its problems in both languages', async () => {
    const err = await parseExamFile('{"format":"cmexam-exam","version":1}').catch((e) => e);
    expect(err.message.split('\n')[0]).toBe('This exam file is damaged:');
    expect(err.problems[0]).toBe('file.exam_id: expected a string, found undefined');
    const text = zh(err.i18n);
    expect(text.split('\n')[0]).toBe('此考试文件已损坏：');
    expect(text.split('\n')[1]).toBe('• file.exam_id：应为字符串，实为 undefined');
  });

  it('a hand-in that is not a sitting file is refused in both languages', async () => {
    const check = await checkHandins([{ name: 'a.json', text: 'nope' }], null, new Set());
    expect(check.refused[0].reason).toMatch(/^This is not a sitting file: it is not valid JSON/);
    expect(render('zh', check.refused[0].message)).toMatch(/^这不是作答文件：它不是有效的 JSON/);
  });
});

describe('results files', () => {
  it('a refusal keeps its English and carries its Message', () => {
    let err: unknown;
    try {
      parseResults('{"format":"cmexam-eval-results","version":99}');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ResultsFileError);
    expect((err as Error).message).toBe(
      'This results file is version 99, newer than this app reads (1): update the app.',
    );
    expect(render('zh', errorText(err) as Message)).toBe(
      '此结果文件的版本为 99，高于本应用能读取的版本（1）：请更新应用。',
    );
  });

  it('the Message crosses a worker (Comlink) with the thrown error', async () => {
    keepErrorMessages();
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(
      {
        read: () => parseResults('not json'),
      },
      port2 as unknown as Comlink.Endpoint,
    );
    const remote = Comlink.wrap<{ read(): unknown }>(port1 as unknown as Comlink.Endpoint);
    const err = await Promise.resolve(remote.read()).catch((e: unknown) => e);
    port1.close();
    expect((err as Error).message).toMatch(/^This is not a results file: it is not valid JSON/);
    expect(render('zh', messageOf(err)!)).toMatch(/^这不是结果文件：它不是有效的 JSON/);
  });
});

describe('why a run stopped', () => {
  it('is stored in English and as a Message the run page translates', async () => {
    const db = freshDb();
    await storeSplit(db, 'cmexam/val', syntheticRows(3));
    const runner = new Runner(
      db,
      () => ({
        engine: new ScriptedEngine(),
        ref: { kind: 'demo', engine: 'wllama', model: 'demo:tiny-random' },
      }),
      db,
    );
    const base = defaultSpec('cmexam/val', 'demo:tiny-random', 'wllama');
    const spec = canonicalSpec({ ...base, prompt: 'few-shot', k: 2, shotsSplitId: 'cmexam/train' });
    const id = await runIdFor(spec);
    await runner.create(id, spec);
    expect(await runner.drive(id, () => {})).toBe('error');
    const run = (await db.runs.get(id))!;
    expect(run.error).toBe(
      'The split cmexam/train is not stored, and this few-shot run draws its 2 examples from it: import it, then resume the run.',
    );
    expect(english(run.errorMessage!)).toBe(run.error);
    expect(render('zh', run.errorMessage!)).toBe(
      '数据划分 cmexam/train 未存储，而此少样本评测要从中抽取 2 个示例：请导入它，然后继续评测。',
    );
  });
});
