import { create } from 'qrcode';

/** A QR code of a text as an SVG path: one unit per module, a quiet zone of 4 modules. */
export interface QrSvg {
  /** Width and height of the viewBox, quiet zone included. */
  size: number;
  /** Path data of the dark modules (one `h1v1h-1z` square each, merged by row runs). */
  path: string;
  /** QR version (1–40): how dense it is. */
  version: number;
}

const QUIET_ZONE = 4;

/**
 * Error correction M (15%): survives a smudged projector image while keeping long run links
 * (about 400 characters) at a version a phone still reads from the back of a room.
 */
export function qrSvg(text: string): QrSvg {
  const qr = create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const dark = qr.modules.data;
  let path = '';
  for (let y = 0; y < n; y++) {
    let x = 0;
    while (x < n) {
      if (!dark[y * n + x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < n && dark[y * n + x]) x++;
      path += `M${start + QUIET_ZONE} ${y + QUIET_ZONE}h${x - start}v1h-${x - start}z`;
    }
  }
  return { size: n + 2 * QUIET_ZONE, path, version: qr.version };
}
