/** The one SHA-256 helper: dataset files, run ids, prompt templates and exams all hash with it. */

/** Hex SHA-256 of a text (UTF-8) or of bytes given whole or in parts (hashed as one). */
export async function sha256Hex(
  data: string | Uint8Array | readonly Uint8Array[],
): Promise<string> {
  const bytes =
    typeof data === 'string'
      ? new TextEncoder().encode(data)
      : data instanceof Uint8Array
        ? data
        : concat(data);
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(digest));
}

/** The first 16 hex digits (64 bits) of the SHA-256 of a text: short ids that do not collide. */
export async function shortSha256(text: string): Promise<string> {
  return (await sha256Hex(text)).slice(0, 16);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  return all;
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}
