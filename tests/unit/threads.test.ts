import { describe, expect, it } from 'vitest';
import { defaultThreads } from '../../src/lib/engines/device';

describe('defaultThreads (llama.cpp threads when the user has not chosen)', () => {
  it('takes one thread per physical core, counting two logical cores per physical one', () => {
    expect(defaultThreads(2)).toBe(1);
    expect(defaultThreads(4)).toBe(2);
    expect(defaultThreads(6)).toBe(3);
  });
  it('uses at most 4 threads and at least 1', () => {
    expect(defaultThreads(8)).toBe(4);
    expect(defaultThreads(32)).toBe(4);
    expect(defaultThreads(1)).toBe(1);
    expect(defaultThreads(0)).toBe(1);
  });
});
