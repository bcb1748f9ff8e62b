import { describe, expect, it } from 'vitest';
import { estimateRemainingMs, formatBytes, formatDuration } from '../../src/lib/format';

describe('formatting', () => {
  it('formats sizes in decimal units', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(5_119_631)).toBe('5.1 MB');
    expect(formatBytes(45_000_000)).toBe('45 MB');
  });
  it('formats durations', () => {
    expect(formatDuration(4_400)).toBe('4 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });
  it('estimates remaining time linearly: 25 of 100 in 1 s leaves 3 s', () => {
    expect(estimateRemainingMs(25, 100, 1000)).toBe(3000);
    expect(estimateRemainingMs(25, null, 1000)).toBeNull();
  });
});
