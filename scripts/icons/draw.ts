// The app's icons (the favicon's white cross on green), drawn as PNG at build time: PNG icons
// are what install prompts need, and drawing them keeps binaries out of the repository.
import { PNG } from 'pngjs';

export const ICON_GREEN = '#1f6f5c';

export interface IconOptions {
  size: number;
  /** Full-bleed background with the cross inside the maskable safe zone (a centred 80% circle). */
  maskable: boolean;
}

function hexRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Is (x, y), in a 32-unit square, inside the favicon's cross (arms 6 wide, 18 long)? */
function inCross(x: number, y: number): boolean {
  const arm = (v: number) => v >= 13 && v < 19;
  const span = (v: number) => v >= 7 && v < 25;
  return (arm(x) && span(y)) || (arm(y) && span(x));
}

/** Is (x, y) inside the favicon's rounded square (corner radius 6 of 32)? */
function inRoundedSquare(x: number, y: number): boolean {
  const r = 6;
  const cx = Math.min(Math.max(x, r), 32 - r);
  const cy = Math.min(Math.max(y, r), 32 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

export function drawIcon({ size, maskable }: IconOptions): Buffer {
  const png = new PNG({ width: size, height: size });
  const [gr, gg, gb] = hexRgb(ICON_GREEN);
  // A maskable icon keeps its mark within the central 80%: draw the cross smaller.
  const scale = maskable ? 0.7 : 1;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = ((px + 0.5) / size) * 32;
      const y = ((py + 0.5) / size) * 32;
      const cx = 16 + (x - 16) / scale;
      const cy = 16 + (y - 16) / scale;
      const background = maskable || inRoundedSquare(x, y);
      const cross = inCross(cx, cy);
      const i = (py * size + px) * 4;
      const [r, g, b, a] = cross
        ? [255, 255, 255, 255]
        : background
          ? [gr, gg, gb, 255]
          : [0, 0, 0, 0];
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = a;
    }
  }
  return PNG.sync.write(png);
}

export const APP_ICONS = [
  { fileName: 'icons/icon-192.png', size: 192, maskable: false },
  { fileName: 'icons/icon-512.png', size: 512, maskable: false },
  { fileName: 'icons/maskable-512.png', size: 512, maskable: true },
] as const;
