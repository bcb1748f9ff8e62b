import { describe, expect, it } from 'vitest';
import { parseDatasetLink } from '../../src/lib/dataset/url-params';

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
});
