import { DatasetError } from './errors';
import { msg, type Message } from '../i18n/translate';

/**
 * Strict streaming UTF-8 decoding. A byte-order mark is dropped; any invalid byte stops the
 * import with its offset, since silently replacing it would corrupt questions and scores.
 */
export class Utf8StreamDecoder {
  private decoder = new TextDecoder('utf-8', { fatal: true });
  private offset = 0;

  decode(chunk: Uint8Array, final = false): string {
    try {
      const text = this.decoder.decode(chunk, { stream: !final });
      this.offset += chunk.byteLength;
      return text;
    } catch {
      const at = this.offset + firstInvalidUtf8(chunk);
      throw new DatasetError('encoding', msg('dsEncoding', { at }));
    }
  }

  end(): string {
    return this.decode(new Uint8Array(0), true);
  }
}

/** Index of the first byte that cannot start or continue a UTF-8 sequence (approximate at chunk edges). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b < 0xe0
          ? 1
          : b >= 0xe0 && b < 0xf0
            ? 2
            : b >= 0xf0 && b < 0xf5
              ? 3
              : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return i; // cut at the end of the chunk
      if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return Math.max(0, bytes.length - 1);
}

/** Recognise files that are clearly not a dataset from their first bytes. */
export function sniffBinary(head: Uint8Array): Message | null {
  const starts = (...sig: number[]) => sig.every((b, i) => head[i] === b);
  if (starts(0x50, 0x4b, 0x03, 0x04)) return msg('dsKindZip');
  if (starts(0x1f, 0x8b)) return msg('dsKindGzip');
  if (starts(0x25, 0x50, 0x44, 0x46)) return msg('dsKindPdf');
  if (starts(0x47, 0x47, 0x55, 0x46)) return msg('dsKindGguf');
  return null;
}
