/** Reads a request body into one buffer, giving up as soon as it exceeds the limit. */

/** Thrown by {@link readBody} when the body is larger than the limit. */
export class BodyTooLargeError extends Error {}

/**
 * @param chunks - the body's chunks.
 * @param limit - the largest body accepted, in bytes.
 * @returns the body.
 * @throws {@link BodyTooLargeError} past the limit; whatever the stream throws.
 */
export async function readBody(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError();
    parts.push(chunk);
  }
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const body = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.length;
  }
  return body;
}

/**
 * Iterates a web `ReadableStream` with a reader, which every Fetch runtime supports.
 *
 * @param stream - the stream; `null` (a request without a body) has no chunks.
 * @returns its chunks.
 */
export async function* chunksOf(stream: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (stream === null) return;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * @param header - a `Content-Length` header value, if any.
 * @param limit - the largest body accepted.
 * @returns true when the header already announces a body over the limit.
 */
export function isDeclaredTooLarge(header: string | null | undefined, limit: number): boolean {
  const length = header === null || header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(length) && length > limit;
}
