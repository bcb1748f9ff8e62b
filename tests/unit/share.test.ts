import { describe, expect, it } from 'vitest';
import jsQR from 'jsqr';
import { qrSvg } from '../../src/lib/share/qr';

/** Rasterise the path (only `M x y h w v1 h-w z` runs) at `scale` pixels per module. */
function rasterise(path: string, size: number, scale: number) {
  const px = size * scale;
  const data = new Uint8ClampedArray(px * px * 4).fill(255);
  for (const m of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    const [x, y, w] = [Number(m[1]), Number(m[2]), Number(m[3])];
    for (let yy = y * scale; yy < (y + 1) * scale; yy++) {
      for (let xx = x * scale; xx < (x + w) * scale; xx++) {
        const i = (yy * px + xx) * 4;
        data[i] = data[i + 1] = data[i + 2] = 0;
      }
    }
  }
  return { data, px };
}

describe('QR codes of shared links', () => {
  const runLink =
    'https://example.org/cmexam/?dataset=cmexam&split=val&subset=random&n=100&seed=7&model=Qwen2.5-0.5B-Instruct-q4f16_1-MLC&engine=webllm&method=choice&prompt=zero-shot&multi=skip&temperature=0&autostart=1';

  it('decodes (with an independent decoder) to exactly the link', () => {
    for (const text of [runLink, 'https://a.b/?mode=exam&title=%E5%90%88%E6%88%90']) {
      const qr = qrSvg(text);
      const { data, px } = rasterise(qr.path, qr.size, 4);
      expect(jsQR(data, px, px)?.data).toBe(text);
    }
  });

  it('keeps a 4-module quiet zone and a version a projector can show', () => {
    const qr = qrSvg(runLink);
    // Version v has 17 + 4v modules a side.
    expect(qr.size).toBe(17 + 4 * qr.version + 8);
    expect(qr.version).toBeLessThanOrEqual(15);
    const xs = [...qr.path.matchAll(/M(\d+) (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(Math.min(...xs.flat())).toBe(4);
  });
});
