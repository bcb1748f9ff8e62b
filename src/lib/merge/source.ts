// Where model bytes come from, read by range so that no model is ever loaded whole: a File or
// Blob (read in place), a URL (HTTP range requests), or a Node file (scripts/merge/node-io.ts).

export interface ByteSource {
  /** What the user would call it: a file name or a URL. */
  readonly name: string;
  size(): Promise<number>;
  /** Bytes [start, end). Fewer only at the end of the file. */
  read(start: number, end: number): Promise<Uint8Array>;
}

export function blobSource(blob: Blob, name: string): ByteSource {
  return {
    name,
    size: () => Promise.resolve(blob.size),
    async read(start, end) {
      return new Uint8Array(await blob.slice(start, Math.min(end, blob.size)).arrayBuffer());
    },
  };
}

export class RangeRequestError extends Error {
  override name = 'RangeRequestError';
}

/**
 * A URL read with `Range` requests. A server that answers with the whole file (200) instead
 * of a part (206) is refused, since a model would then be downloaded whole for every tensor.
 */
export function urlSource(
  url: string,
  options: { fetch?: typeof fetch; signal?: AbortSignal } = {},
): ByteSource {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  let knownSize: number | undefined;
  const ranged = async (start: number, endInclusive: number): Promise<Response> => {
    let response: Response;
    try {
      response = await doFetch(url, {
        headers: { Range: `bytes=${start}-${endInclusive}` },
        signal: options.signal,
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new RangeRequestError(`${url}: could not be fetched (${(err as Error).message})`);
    }
    if (response.status === 416) return response;
    if (response.status !== 206) {
      await response.body?.cancel();
      throw new RangeRequestError(
        response.ok
          ? `${url}: the server does not answer range requests (status ${response.status}, not 206)`
          : `${url}: HTTP ${response.status}`,
      );
    }
    const total = response.headers.get('content-range')?.match(/\/\s*(\d+)\s*$/)?.[1];
    if (total !== undefined) knownSize = Number(total);
    return response;
  };
  return {
    name: url,
    async size() {
      if (knownSize === undefined) {
        const response = await ranged(0, 0);
        await response.body?.cancel();
        if (knownSize === undefined) {
          throw new RangeRequestError(`${url}: the server does not say the file's size`);
        }
      }
      return knownSize;
    },
    async read(start, end) {
      if (end <= start) return new Uint8Array(0);
      const response = await ranged(start, end - 1);
      if (response.status === 416) return new Uint8Array(0);
      const bytes = new Uint8Array(await response.arrayBuffer());
      return bytes.byteLength > end - start ? bytes.subarray(0, end - start) : bytes;
    },
  };
}

/**
 * A `fetch` over a ByteSource, answering the `Range` requests of @huggingface/gguf's header
 * parser (it asks for 2 MB chunks, also past the end of a small file) from the source itself.
 */
export function rangeFetchFor(source: ByteSource): typeof fetch {
  return (async (_input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const range = new Headers(init?.headers).get('range');
    const match = range?.match(/^bytes=(\d+)-(\d+)$/);
    if (!match) throw new Error(`unexpected header request without a byte range: ${range}`);
    const size = await source.size();
    const start = Number(match[1]);
    const end = Math.min(Number(match[2]) + 1, size);
    const bytes = start < end ? await source.read(start, end) : new Uint8Array(0);
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      status: 206,
      headers: { 'content-range': `bytes ${start}-${Math.max(start, end - 1)}/${size}` },
    });
  }) as typeof fetch;
}
