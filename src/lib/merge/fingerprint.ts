// A GGUF file's content hash, computed from the bytes a merge reads anyway (no second pass over
// a model of several GB, and Web Crypto has no streaming SHA-256): SHA-256 over the SHA-256 of
// the header (bytes [0, data offset), padding included) followed by the SHA-256 of each
// tensor's data in the file's tensor order. Padding between tensors is left out, so this is
// not `sha256sum` of the file; the same file always gives the same value, and a merged file
// gets the value it will have when it is read back as a parent. docs/merging.md.

import { sha256Hex } from '../hash';

export class GgufFingerprint {
  private header: Uint8Array | null = null;
  private readonly tensors = new Map<string, Uint8Array>();

  /** `tensorNames` in the file's own order. */
  constructor(private readonly tensorNames: readonly string[]) {}

  async addHeader(bytes: Uint8Array): Promise<void> {
    this.header = await digest(bytes);
  }

  async addTensor(name: string, bytes: Uint8Array): Promise<void> {
    this.tensors.set(name, await digest(bytes));
  }

  /** Hex SHA-256; throws when a part was not added. */
  async hex(): Promise<string> {
    if (this.header === null) throw new Error('the fingerprint has no header');
    const parts: Uint8Array[] = [this.header];
    for (const name of this.tensorNames) {
      const d = this.tensors.get(name);
      if (d === undefined) throw new Error(`the fingerprint has no tensor ${name}`);
      parts.push(d);
    }
    return sha256Hex(parts);
  }
}

async function digest(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}
