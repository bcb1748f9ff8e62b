// Which layer a GGUF tensor belongs to, from llama.cpp's naming (`blk.<i>.…`).

const BLOCK_RE = /^blk\.(\d+)\./;

/** The layer index of a tensor, or undefined for tensors outside the layers (embeddings, output). */
export function layerOf(tensorName: string): number | undefined {
  const m = BLOCK_RE.exec(tensorName);
  return m ? Number(m[1]) : undefined;
}
