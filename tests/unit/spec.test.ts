import { describe, expect, it } from 'vitest';
import type { DatasetLinkRequest } from '../../src/lib/dataset/url-params';
import { LINK_PARAMS, parseRunLink, runLinkFor } from '../../src/lib/eval/link';
import {
  DEFAULT_GENERATION,
  canonicalJson,
  canonicalSpec,
  defaultShotsSplit,
  defaultSpec,
  engineForModel,
  runIdFor,
  validateSpec,
} from '../../src/lib/eval/spec';
import type { RunSpec } from '../../src/lib/eval/types';

const QWEN = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
const GGUF = 'https://huggingface.co/org/repo/resolve/main/model-Q4_K_M.gguf';
const FILE = 'https://example.org/exams/mock exam.csv?token=a&b=c';
const CMEXAM_TEST: DatasetLinkRequest = { kind: 'cmexam', split: 'test', mirror: null };

/** The example from the issue. */
const ISSUE =
  '?dataset=cmexam&split=test&n=100&seed=1&model=Qwen2.5-0.5B-Instruct-q4f32_1-MLC' +
  '&engine=webllm&method=choice&prompt=zero-shot&autostart=1';

function spec(over: Partial<RunSpec> = {}, subset: Partial<RunSpec['subset']> = {}): RunSpec {
  const base = defaultSpec('cmexam/test', QWEN, 'webllm');
  return { ...base, ...over, subset: { ...base.subset, ...subset } };
}

/** A valid run link on cmexam/test plus `extra`, as a query string. */
function link(extra: string, base = 'dataset=cmexam&split=test&model=' + QWEN): string {
  const defaults = new URLSearchParams('method=choice&prompt=zero-shot');
  const params = new URLSearchParams(base + (extra ? '&' + extra : ''));
  for (const [k, v] of defaults) if (!params.has(k)) params.set(k, v);
  return params.toString();
}

describe('the example from the issue', () => {
  it('reads as the first 100 test questions, zero-shot choice, autostart', () => {
    const r = parseRunLink(ISSUE);
    expect(r.problems).toEqual([]);
    expect(r.autostart).toBe(true);
    expect(r.dataset).toEqual(CMEXAM_TEST);
    expect(r.spec).toEqual(spec({ seed: 1 }, { mode: 'first', n: 100 }));
  });

  it('with shard=2/8 is shard 2 of 8 of the same subset', () => {
    const r = parseRunLink(ISSUE + '&shard=2/8');
    expect(r.problems).toEqual([]);
    expect(r.spec?.subset.shard).toEqual({ index: 2, count: 8 });
    expect(parseRunLink(ISSUE + '&shard=2%2F8').spec?.subset.shard).toEqual({ index: 2, count: 8 });
  });

  it('gives the same run id twice, and a different one per shard', async () => {
    const a = await runIdFor(parseRunLink(ISSUE).spec!);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(await runIdFor(parseRunLink(ISSUE).spec!)).toBe(a);
    expect(await runIdFor(parseRunLink(ISSUE + '&shard=2/8').spec!)).not.toBe(a);
    // Without autostart it is the same run.
    expect(await runIdFor(parseRunLink(ISSUE.replace('&autostart=1', '')).spec!)).toBe(a);
  });

  it('writes back as an explicit canonical link', () => {
    const r = parseRunLink(ISSUE);
    expect(runLinkFor(r.spec!, r.dataset!, r.autostart)).toBe(
      'dataset=cmexam&split=test&subset=first&n=100&seed=1&model=' +
        QWEN +
        '&engine=webllm&method=choice&prompt=zero-shot&multi=skip&temperature=0&autostart=1',
    );
  });
});

describe('custom dataset URL', () => {
  it('evaluates custom/<name>, the name from the file or from split', () => {
    const url = encodeURIComponent(FILE);
    const r = parseRunLink(`?dataset=${url}&model=demo:tiny-random&method=generate&prompt=cot`);
    expect(r.problems).toEqual([]);
    expect(r.dataset).toEqual({ kind: 'url', url: FILE, split: null });
    expect(r.spec?.splitId).toBe('custom/mock-exam');
    expect(r.spec?.engine).toBe('wllama');
    const named = parseRunLink(
      `?dataset=${url}&split=final-2024&model=demo:tiny-random&method=generate&prompt=cot`,
    );
    expect(named.spec?.splitId).toBe('custom/final-2024');
  });

  it('needs shots for few-shot, and round-trips with them', () => {
    const url = encodeURIComponent(FILE);
    const base = `?dataset=${url}&model=${encodeURIComponent(GGUF)}&method=choice&prompt=few-shot&k=3`;
    expect(parseRunLink(base).problems).toEqual([
      'With dataset=<URL>, prompt=few-shot needs "shots", the split to draw examples from: ' +
        'train, val, test (CMExam) or custom/<name> (a stored split).',
    ]);
    const r = parseRunLink(base + '&shots=train');
    expect(r.problems).toEqual([]);
    expect(r.spec?.shotsSplitId).toBe('cmexam/train');
    expect(parseRunLink(base + '&shots=custom/mock-exam').problems[0]).toContain('must differ');
    const back = parseRunLink(runLinkFor(r.spec!, r.dataset!, false));
    expect(back).toEqual({ ...r, autostart: false });
  });
});

describe('defaults', () => {
  it('subset: all without n, first with n', () => {
    expect(parseRunLink(link('')).spec?.subset).toMatchObject({ mode: 'all', n: null });
    expect(parseRunLink(link('n=5')).spec?.subset).toMatchObject({ mode: 'first', n: 5 });
  });

  it('engine from the model', () => {
    expect(engineForModel(QWEN)).toBe('webllm');
    expect(engineForModel(GGUF)).toBe('wllama');
    expect(engineForModel('demo:tiny-random')).toBe('wllama');
    expect(parseRunLink(link('', `dataset=cmexam&split=val&model=${GGUF}`)).spec?.engine).toBe(
      'wllama',
    );
  });

  it('shots: train for val/test, val for train', () => {
    expect(defaultShotsSplit('cmexam/test')).toBe('cmexam/train');
    expect(defaultShotsSplit('cmexam/val')).toBe('cmexam/train');
    expect(defaultShotsSplit('cmexam/train')).toBe('cmexam/val');
    expect(defaultShotsSplit('custom/x')).toBeNull();
    const fs = 'prompt=few-shot&k=2';
    expect(parseRunLink(link(fs)).spec?.shotsSplitId).toBe('cmexam/train');
    const train = `dataset=cmexam&split=train&model=${QWEN}`;
    expect(parseRunLink(link(fs, train)).spec?.shotsSplitId).toBe('cmexam/val');
  });

  it('generation, seed, multi, extract', () => {
    const s = parseRunLink(link('')).spec!;
    expect(s.seed).toBe(0);
    expect(s.generation).toEqual(DEFAULT_GENERATION);
    expect(s.multiAnswer).toBe('skip');
    expect(s.extraction).toBe('layered');
  });

  it('a dataset-only link asks for no run', () => {
    expect(parseRunLink('?dataset=cmexam&split=val')).toEqual({
      spec: null,
      dataset: { kind: 'cmexam', split: 'val', mirror: null },
      autostart: false,
      view: null,
      problems: [],
      messages: [],
    });
    expect(parseRunLink('')).toEqual({
      spec: null,
      dataset: null,
      autostart: false,
      view: null,
      problems: [],
      messages: [],
    });
  });

  it('view=present opens the presenter and is not part of the run', () => {
    const run = '?dataset=cmexam&split=val&model=demo:tiny-random&engine=wllama&method=choice';
    const plain = parseRunLink(`${run}&prompt=zero-shot`);
    const presented = parseRunLink(`${run}&prompt=zero-shot&view=present`);
    expect(plain.spec).not.toBeNull();
    expect(presented.view).toBe('present');
    expect(presented.problems).toEqual([]);
    expect(presented.spec).toEqual(plain.spec);
    expect(parseRunLink('?dataset=cmexam&split=val&view=slides').problems).toEqual([
      '"view" must be present, not "slides".',
    ]);
  });
});

describe('round trips', () => {
  const cases: [string, RunSpec, DatasetLinkRequest, boolean][] = [
    ['defaults', spec(), CMEXAM_TEST, false],
    [
      'random with filters, shard and mirror',
      spec(
        { seed: 4294967295 },
        {
          mode: 'random',
          n: 250,
          filters: { 'Clinical Department': ['内科', '外科'], Difficulty: ['3'] },
          shard: { index: 3, count: 4 },
        },
      ),
      { kind: 'cmexam', split: 'test', mirror: 'https://example.org/cm exam/data/' },
      true,
    ],
    [
      'stratified few-shot generate',
      spec(
        {
          method: 'generate',
          prompt: 'few-shot',
          k: 5,
          shotsSplitId: 'cmexam/val',
          extraction: 'cmexam',
          generation: { maxTokens: 512, temperature: 0.7 },
        },
        { mode: 'stratified', n: 40, stratifyBy: 'Disease Group' },
      ),
      CMEXAM_TEST,
      false,
    ],
    [
      'icp with constrained multi on a GGUF model',
      spec({ model: GGUF, engine: 'wllama', prompt: 'icp', multiAnswer: 'constrained' }),
      CMEXAM_TEST,
      true,
    ],
    [
      'circular generate',
      spec({ method: 'generate', circular: true }, { mode: 'first', n: 20 }),
      CMEXAM_TEST,
      true,
    ],
    [
      'custom URL with a split name',
      spec({ splitId: 'custom/mock', model: 'demo:tiny-random', engine: 'wllama' }),
      { kind: 'url', url: FILE, split: 'mock' },
      false,
    ],
  ];
  for (const [name, s, dataset, autostart] of cases) {
    it(name, async () => {
      const q = runLinkFor(s, dataset, autostart);
      const r = parseRunLink('?' + q);
      expect(r.problems).toEqual([]);
      expect(r.spec).toEqual(s);
      expect(r.dataset).toEqual(dataset);
      expect(r.autostart).toBe(autostart);
      expect(runLinkFor(r.spec!, r.dataset!, r.autostart)).toBe(q);
      expect(await runIdFor(r.spec!)).toBe(await runIdFor(s));
      // Parameters come in the canonical order.
      const keys = [...new URLSearchParams(q).keys()];
      const order = keys.map((k) => LINK_PARAMS.indexOf(k));
      expect(order.every((o, i) => o >= 0 && (i === 0 || order[i - 1] <= o))).toBe(true);
    });
  }

  it('keeps / and : readable', () => {
    const q = runLinkFor(spec({}, { shard: { index: 2, count: 8 } }), CMEXAM_TEST, false);
    expect(q).toContain('shard=2/8');
    const u = runLinkFor(
      spec({ splitId: 'custom/x' }),
      { kind: 'url', url: GGUF, split: 'x' },
      false,
    );
    expect(u).toContain('dataset=https://huggingface.co/');
  });

  it('canonicalises what the runner ignores, so form and link give one run', async () => {
    const fromForm = spec({ multiAnswer: 'constrained', k: 3, shotsSplitId: 'cmexam/train' });
    fromForm.method = 'generate';
    fromForm.generation = { maxTokens: 300, temperature: 0 };
    const c = canonicalSpec(fromForm);
    expect(c.k).toBe(0);
    expect(c.shotsSplitId).toBeNull();
    expect(c.multiAnswer).toBe('skip');
    expect(c.generation.maxTokens).toBe(300);
    expect(await runIdFor(fromForm)).toBe(await runIdFor(c));
    const choice = canonicalSpec(spec({ generation: { maxTokens: 999, temperature: 0.5 } }));
    expect(choice.generation).toEqual({ maxTokens: 256, temperature: 0.5 });
    const filters = canonicalSpec(spec({}, { filters: { b: ['y', 'x', 'y'], a: ['z'] } }));
    expect(JSON.stringify(filters.subset.filters)).toBe('{"a":["z"],"b":["x","y"]}');
  });

  it('run ids differ when anything that matters differs', async () => {
    const ids = await Promise.all(
      [
        spec(),
        spec({ seed: 1 }),
        spec({ splitId: 'cmexam/val' }),
        spec({ model: 'Llama-3.2-1B-Instruct-q4f16_1-MLC' }),
        spec({ multiAnswer: 'constrained' }),
        spec({ generation: { maxTokens: 256, temperature: 0.1 } }),
        spec({}, { mode: 'first', n: 10 }),
        spec({}, { mode: 'first', n: 11 }),
        spec({}, { filters: { a: ['x'] } }),
      ].map(runIdFor),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses specs that no link can express', () => {
    expect(() =>
      runLinkFor(spec({ splitId: 'custom/x' }), { kind: 'url', url: '', split: 'x' }, false),
    ).toThrow(/cannot be written as a link/);
    expect(() => runLinkFor(spec({}, { filters: { a: ['x|y'] } }), CMEXAM_TEST, false)).toThrow(
      /cannot be written as a link/,
    );
    expect(() => runLinkFor(spec({ splitId: 'cmexam/val' }), CMEXAM_TEST, false)).toThrow(
      /different run/,
    );
  });
});

describe('every problem is listed', () => {
  const q = encodeURIComponent;
  const table: [string, string, string[]][] = [
    ['unknown parameter', link('colour=red'), ['Unknown parameter "colour".']],
    ['repeated parameter', link('seed=1&seed=2'), ['Parameter "seed" is given more than once.']],
    [
      'repeated dataset parameter',
      link('', `dataset=cmexam&split=test&split=val&model=${QWEN}`),
      ['Parameter "split" is given more than once.'],
    ],
    [
      'no dataset',
      `model=${QWEN}&method=choice&prompt=zero-shot`,
      ['A run needs "dataset": cmexam (with "split") or the http(s) URL of a file.'],
    ],
    [
      'bad split',
      link('', `dataset=cmexam&split=dev&model=${QWEN}`),
      ['Unknown CMExam split "dev": use train, val, test.'],
    ],
    [
      'no model, method or prompt',
      'dataset=cmexam&split=test&autostart=1',
      [
        'A run needs "model": a web-llm model id, a GGUF URL or demo:tiny-random.',
        'A run needs "method": choice or generate.',
        'A run needs "prompt": zero-shot, few-shot, cot or icp.',
      ],
    ],
    [
      'bad subset',
      link('subset=some&n=3'),
      ['"subset" must be one of all, first, random, stratified, not "some".'],
    ],
    [
      'n = 0',
      link('n=0'),
      [
        '"n" must be a whole number of at least 1, not "0" (to take every question leave out n and subset).',
      ],
    ],
    [
      'n not a plain number',
      link('n=1e3'),
      [
        '"n" must be a whole number of at least 1, not "1e3" (to take every question leave out n and subset).',
      ],
    ],
    [
      'n with all',
      link('subset=all&n=5'),
      [
        '"n" does not go with subset=all, which takes every question: leave out n, or use ' +
          'subset=first, random or stratified.',
      ],
    ],
    [
      'random without n',
      link('subset=random'),
      ['subset=random needs "n", the number of questions.'],
    ],
    [
      'stratified without column',
      link('subset=stratified&n=10'),
      ['subset=stratified needs "stratify", the annotation column to stratify by.'],
    ],
    [
      'stratify without stratified',
      link('n=10&stratify=Difficulty'),
      ['"stratify" only applies to subset=stratified, not subset=first.'],
    ],
    [
      'malformed filter',
      link('filter=Difficulty'),
      ['"filter" must look like <column>:<value>|<value>… with no empty parts, not "Difficulty".'],
    ],
    [
      'empty filter value',
      link('filter=' + q('Difficulty:1||2')),
      [
        '"filter" must look like <column>:<value>|<value>… with no empty parts, not "Difficulty:1||2".',
      ],
    ],
    [
      'column filtered twice',
      link('filter=Difficulty:1&filter=Difficulty:2'),
      ['Column "Difficulty" is filtered twice: put all its values in one filter, separated by |.'],
    ],
    ['shard 3/2', link('shard=3/2'), ['"shard" 3/2 does not exist: shard i of n needs 1 ≤ i ≤ n.']],
    ['shard 0/2', link('shard=0/2'), ['"shard" 0/2 does not exist: shard i of n needs 1 ≤ i ≤ n.']],
    ['shard 1/0', link('shard=1/0'), ['"shard" 1/0 does not exist: shard i of n needs 1 ≤ i ≤ n.']],
    [
      'shard malformed',
      link('shard=2'),
      ['"shard" must look like i/n (for example 2/8), not "2".'],
    ],
    [
      'negative seed',
      link('seed=-1'),
      ['"seed" must be a whole number from 0 to 4294967295, not "-1".'],
    ],
    [
      'seed too large',
      link('seed=4294967296'),
      ['"seed" must be a whole number from 0 to 4294967295, not "4294967296".'],
    ],
    [
      'unknown demo model',
      link('', 'dataset=cmexam&split=test&model=demo:big'),
      ['Unknown demo model "demo:big": use demo:tiny-random.'],
    ],
    [
      'not a GGUF URL',
      link('', 'dataset=cmexam&split=test&model=' + q('https://example.org/model.bin')),
      [
        '"model": The address does not end in .gguf, so it is not a GGUF model file: ' +
          'https://example.org/model.bin. On Hugging Face, open the "Files" tab and copy the ' +
          'download link of a .gguf file.',
      ],
    ],
    [
      'Hugging Face page link',
      link('', 'dataset=cmexam&split=test&model=' + q(GGUF.replace('/resolve/', '/blob/'))),
      [
        '"model" links to the Hugging Face page of the file (/blob/ or /raw/): use its ' +
          '/resolve/ address, which is the file itself.',
      ],
    ],
    [
      'not a model',
      link('', 'dataset=cmexam&split=test&model=' + q('my model')),
      [
        '"model" must be a web-llm model id, the http(s) URL of a GGUF file or ' +
          'demo:tiny-random, not "my model".',
      ],
    ],
    [
      'bad engine',
      link('engine=ollama'),
      ['"engine" must be one of webllm, wllama, not "ollama".'],
    ],
    [
      'wllama for a web-llm id',
      link('engine=wllama'),
      [
        `engine=wllama cannot run "${QWEN}": a web-llm model id runs on webllm (wllama needs a GGUF URL).`,
      ],
    ],
    [
      'webllm for a GGUF URL',
      link('engine=webllm', `dataset=cmexam&split=test&model=${q(GGUF)}`),
      [`engine=webllm cannot run "${GGUF}": GGUF files and the demo model run on wllama.`],
    ],
    [
      'bad method',
      link('method=score'),
      ['"method" must be one of choice, generate, open, not "score".'],
    ],
    [
      'bad prompt',
      link('prompt=two-shot'),
      ['"prompt" must be one of zero-shot, few-shot, cot, icp, not "two-shot".'],
    ],
    [
      'cot with choice',
      link('prompt=cot'),
      [
        'prompt=cot needs method=generate: chain-of-thought writes its reasoning before the ' +
          'answer, and method=choice generates no text.',
      ],
    ],
    [
      'few-shot without k',
      link('prompt=few-shot'),
      ['prompt=few-shot needs "k", the number of examples (1 to 64).'],
    ],
    [
      'few-shot with k=0',
      link('prompt=few-shot&k=0'),
      ['"k" must be a whole number from 1 to 64, not "0" (for no examples use prompt=zero-shot).'],
    ],
    [
      'k with zero-shot',
      link('k=3'),
      ['"k" (few-shot examples) only applies to prompt=few-shot, not zero-shot.'],
    ],
    [
      'shots with zero-shot',
      link('shots=val'),
      ['"shots" only applies to prompt=few-shot, not zero-shot.'],
    ],
    [
      'shots from the evaluated split',
      link('prompt=few-shot&k=2&shots=test'),
      [
        '"shots" must differ from the evaluated split (cmexam/test): the examples would ' +
          'include the questions being asked.',
      ],
    ],
    [
      'bad shots',
      link('prompt=few-shot&k=2&shots=dev'),
      [
        '"shots" must be train, val, test (CMExam splits) or custom/<name> (a stored split), not "dev".',
      ],
    ],
    [
      'multi with generate',
      link('method=generate&multi=skip'),
      [
        '"multi" only applies to method=choice (method=generate answers multi-answer ' +
          'questions in its own words).',
      ],
    ],
    ['bad multi', link('multi=all'), ['"multi" must be one of skip, constrained, not "all".']],
    [
      'extract with choice',
      link('extract=layered'),
      ['"extract" only applies to method=generate (choice reads option letters).'],
    ],
    [
      'bad extract',
      link('method=generate&extract=regex'),
      ['"extract" must be one of layered, cmexam, not "regex".'],
    ],
    [
      'max_tokens with choice',
      link('max_tokens=64'),
      ['"max_tokens" only applies to method=generate (choice answers with option letters).'],
    ],
    [
      'max_tokens 0',
      link('method=generate&max_tokens=0'),
      ['"max_tokens" must be a whole number from 1 to 16384, not "0".'],
    ],
    [
      'temperature -1',
      link('temperature=-1'),
      ['"temperature" must be a number from 0 to 2, not "-1".'],
    ],
    [
      'temperature 3',
      link('temperature=3'),
      ['"temperature" must be a number from 0 to 2, not "3".'],
    ],
    [
      'autostart yes',
      link('autostart=yes'),
      ['"autostart" must be 1 (start at once) or 0, not "yes".'],
    ],
    [
      'circular yes',
      link('circular=yes'),
      ['"circular" must be 1 (ask again with the options rotated) or 0, not "yes".'],
    ],
    [
      'circular twice',
      link('circular=1&circular=1'),
      ['Parameter "circular" is given more than once.'],
    ],
  ];
  for (const [name, search, problems] of table) {
    it(name, () => {
      const r = parseRunLink(search);
      expect(r.problems).toEqual(problems);
      expect(r.spec).toBeNull();
      expect(r.dataset).toBeNull();
      expect(r.autostart).toBe(false);
    });
  }

  it('lists them all at once', () => {
    const r = parseRunLink(
      'dataset=cmexam&split=test&n=0&shard=3/2&temperature=-1&prompt=cot&method=choice&k=2&x=1',
    );
    expect(r.problems).toHaveLength(7);
    expect(r.problems[0]).toBe('Unknown parameter "x".');
  });

  it('accepts k=0 with other prompts and autostart=0', () => {
    const r = parseRunLink(link('k=0&autostart=0'));
    expect(r.problems).toEqual([]);
    expect(r.autostart).toBe(false);
  });
});

describe('circular evaluation', () => {
  it('circular=1 turns it on, circular=0 or absent leaves it out', () => {
    const on = parseRunLink(link('circular=1'));
    expect(on.problems).toEqual([]);
    expect(on.spec?.circular).toBe(true);
    for (const off of [link('circular=0'), link('')]) {
      const r = parseRunLink(off);
      expect(r.problems).toEqual([]);
      expect(r.spec).not.toHaveProperty('circular');
      expect(canonicalJson(r.spec)).not.toContain('circular');
    }
  });

  it('round trips through runLinkFor, written only when on', () => {
    const s = spec({ circular: true });
    const q = runLinkFor(s, CMEXAM_TEST, true);
    expect(q).toBe(
      'dataset=cmexam&split=test&subset=all&seed=0&model=' +
        QWEN +
        '&engine=webllm&method=choice&prompt=zero-shot&multi=skip&temperature=0&circular=1' +
        '&autostart=1',
    );
    expect(parseRunLink(q).spec).toEqual(canonicalSpec(s));
    expect(parseRunLink(q).spec?.circular).toBe(true);
    expect(runLinkFor(spec({ circular: false }), CMEXAM_TEST, false)).not.toContain('circular');
    expect(runLinkFor(spec(), CMEXAM_TEST, false)).not.toContain('circular');
  });

  it('off keeps the run id of a spec without it; on gives another run', async () => {
    const without = spec();
    expect(without).not.toHaveProperty('circular');
    const id = await runIdFor(without);
    // The id this spec had before the option existed.
    expect(id).toBe('2bbcda167bf2a270');
    expect(await runIdFor(spec({ circular: false }))).toBe(id);
    expect(await runIdFor(spec({ circular: undefined }))).toBe(id);
    expect(canonicalSpec(spec({ circular: false }))).not.toHaveProperty('circular');
    expect(await runIdFor(spec({ circular: true }))).not.toBe(id);
  });
});

describe('validateSpec: one set of rules for the form, links and results files', () => {
  it('a default spec is valid; every field of a broken one is named', () => {
    expect(validateSpec(spec())).toEqual([]);
    expect(validateSpec(null)).toEqual(['The run spec must be an object.']);
    // A results file whose spec lost its fields: each is listed, none throws.
    const problems = validateSpec({ splitId: 'cmexam/test', model: QWEN });
    expect(problems).toEqual(
      expect.arrayContaining([
        '"subset" must be an object, not missing.',
        '"engine" must be one of webllm, wllama, not missing.',
        '"method" must be one of choice, generate, open, not missing.',
        '"prompt" must be one of zero-shot, few-shot, cot, icp, not missing.',
        '"generation" must be an object, not missing.',
        '"seed" must be a whole number from 0 to 4294967295, not missing.',
      ]),
    );
  });

  it('the rules between fields', () => {
    expect(validateSpec(spec({ method: 'choice', prompt: 'cot' }))[0]).toMatch(/Chain-of-thought/);
    expect(
      validateSpec(spec({ prompt: 'few-shot', k: 0, shotsSplitId: 'cmexam/train' }))[0],
    ).toMatch(/Few-shot needs "k"/);
    expect(validateSpec(spec({ prompt: 'few-shot', k: 2, shotsSplitId: null }))[0]).toMatch(
      /Few-shot needs "shotsSplitId"/,
    );
    expect(
      validateSpec(spec({ prompt: 'few-shot', k: 2, shotsSplitId: 'cmexam/test' }))[0],
    ).toMatch(/must differ from the evaluated split/);
    expect(validateSpec(spec({ engine: 'wllama' }))).toEqual([
      `"engine" is wllama, but the model "${QWEN}" runs on webllm.`,
    ]);
    expect(validateSpec(spec({}, { mode: 'first', n: null }))[0]).toMatch(/Subset first needs "n"/);
    expect(validateSpec(spec({}, { shard: { index: 3, count: 2 } }))[0]).toMatch(/subset.shard/);
  });
});

describe('custom MLC models in links', () => {
  const MODEL_URL = 'https://example.org/mlc/My-Model-q4f32_1-MLC/';
  const LIB_URL = 'https://example.org/libs/My-Model-q4f32_1-webgpu.wasm';

  it('regression: the link carries the model and library addresses, and reads back as the same run', async () => {
    const s = spec({ model: 'My-Model-q4f32_1-MLC', modelUrl: MODEL_URL, modelLibUrl: LIB_URL });
    const query = runLinkFor(s, CMEXAM_TEST, false);
    expect(query).toContain(`model_url=${MODEL_URL}`);
    expect(query).toContain(`model_lib=${LIB_URL}`);
    const back = parseRunLink(query);
    expect(back.problems).toEqual([]);
    expect(back.spec).toEqual(canonicalSpec(s));
    // The addresses are part of the run: another address is another run.
    const elsewhere = spec({
      model: 'My-Model-q4f32_1-MLC',
      modelUrl: 'https://example.net/mlc/My-Model-q4f32_1-MLC/',
      modelLibUrl: LIB_URL,
    });
    expect(await runIdFor(elsewhere)).not.toBe(await runIdFor(s));
    // A spec without them keeps the id it had before they existed (no new keys).
    expect(canonicalJson(canonicalSpec(spec()))).not.toContain('modelUrl');
  });

  it('regression: a link and the form give one run id for one custom model (addresses normalised)', () => {
    const typed = parseRunLink(
      link(
        `model_url=https://huggingface.co/me/Mine/tree/main&model_lib=${LIB_URL}`,
        'dataset=cmexam&split=test&model=Mine',
      ),
    );
    expect(typed.problems).toEqual([]);
    // What the Model step stores for the same typed address (engines/model-ref.ts).
    expect(typed.spec?.modelUrl).toBe('https://huggingface.co/me/Mine/resolve/main/');
  });

  it('both addresses or neither, only for a web-llm id, and checked', () => {
    const one = parseRunLink(link(`model_url=${encodeURIComponent(MODEL_URL)}`));
    expect(one.problems).toEqual([
      'A custom MLC model needs both its model address (model_url) and its model library (model_lib).',
    ]);
    const gguf = parseRunLink(
      link(
        `model_url=${MODEL_URL}&model_lib=${LIB_URL}`,
        `dataset=cmexam&split=test&model=${GGUF}`,
      ),
    );
    expect(gguf.problems[0]).toContain('only for a custom MLC (web-llm) model');
    const relative = parseRunLink(link(`model_url=models/x&model_lib=${LIB_URL}`));
    expect(relative.problems[0]).toContain('must be a full address');
  });

  it('a local file cannot be put in a link', () => {
    const r = parseRunLink(link('', 'dataset=cmexam&split=test&model=file:mine.gguf'));
    expect(r.spec).toBeNull();
    expect(r.problems[0]).toContain('a file on one computer');
  });

  it('nor can a model merged in one browser', () => {
    const r = parseRunLink(link('', 'dataset=cmexam&split=test&model=merged:0123456789abcdef'));
    expect(r.spec).toBeNull();
    expect(r.problems[0]).toContain('merged in one browser');
  });
});
