import { describe, expect, it } from 'vitest';
import { linkRequestFor, parseDatasetLink } from '../../src/lib/dataset/url-params';
import { parseRunLink, runLinkFor } from '../../src/lib/eval/link';

describe('dataset links', () => {
  it('reads an official split', () => {
    expect(parseDatasetLink('?dataset=cmexam&split=val')).toEqual({
      request: { kind: 'cmexam', split: 'val', mirror: null },
      problems: [],
      messages: [],
    });
  });
  it('reads a file URL with an optional split name', () => {
    const r = parseDatasetLink('?dataset=' + encodeURIComponent('http://127.0.0.1:9/x.csv'));
    expect(r.request).toEqual({ kind: 'url', url: 'http://127.0.0.1:9/x.csv', split: null });
  });
  it('lists every problem instead of falling back', () => {
    const r = parseDatasetLink('?dataset=cmexam&split=dev&mirror=ftp://x&colour=red');
    expect(r.request).toBeNull();
    expect(r.problems).toEqual([
      'Unknown parameter "colour".',
      'Unknown CMExam split "dev": use train, val, test.',
      '"mirror" must be an http(s) URL, not "ftp://x".',
    ]);
  });
  it('needs a split for CMExam and a URL otherwise', () => {
    expect(parseDatasetLink('?dataset=cmexam').problems[0]).toContain('needs "split"');
    expect(parseDatasetLink('?dataset=medqa').problems[0]).toContain('must be "cmexam"');
    expect(parseDatasetLink('').problems).toEqual([]);
  });
  it("takes CMB's answer key beside a file URL, and writes it back into run links", () => {
    const q = 'https://example.org/CMB-test.json';
    const key = 'https://example.org/CMB-test-choice-answer.json';
    const r = parseDatasetLink(
      `?dataset=${encodeURIComponent(q)}&split=cmb-test&answers=${encodeURIComponent(key)}`,
    );
    expect(r.request).toEqual({ kind: 'url', url: q, split: 'cmb-test', answers: key });
    expect(parseDatasetLink(`?dataset=cmexam&split=val&answers=${key}`).problems).toEqual([
      'answers=<url> (an answer key such as CMB-test-choice-answer.json) goes with dataset=<file URL>.',
    ]);
    expect(parseDatasetLink(`?dataset=${q}&answers=key.json`).problems).toEqual([
      'answers must be an http(s) URL, not "key.json".',
    ]);
    const split = {
      id: 'custom/cmb-test',
      dataset: 'custom',
      split: 'cmb-test',
      sourceUrl: q,
      answerKeyUrl: key,
    };
    const request = linkRequestFor(split, '');
    expect(request).toEqual({ kind: 'url', url: q, split: 'cmb-test', answers: key });
    const run = parseRunLink(
      `?dataset=${encodeURIComponent(q)}&split=cmb-test&answers=${encodeURIComponent(key)}` +
        '&model=demo:tiny-random&method=choice&prompt=zero-shot',
    );
    expect(run.problems).toEqual([]);
    const query = runLinkFor(run.spec!, run.dataset!, false);
    expect(parseRunLink(query).dataset).toEqual(request);
  });
});
