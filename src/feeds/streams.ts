/**
 * Stream helpers for feed inputs: peeking at the first bytes, transparent gunzip and mapping
 * stream errors to {@link FeedParseError}s that name the file.
 */
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FeedParseError, HuntpackError, quoteValue } from '../errors.js';

/** True when the bytes start with the gzip magic number 1f 8b (RFC 1952). */
export function isGzipMagic(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** True when the bytes start with a zip local file header, `PK\x03\x04`. */
export function isZipMagic(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4;
}

/**
 * Reads chunks until at least `minBytes` have arrived or the stream ends. Returns them as
 * `head` and a stream that yields the same bytes followed by the rest of the source.
 */
export async function peekStream(
  source: Readable,
  minBytes: number,
  name: string,
): Promise<{ head: Buffer; stream: Readable }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  try {
    while (length < minBytes) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        break;
      }
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      chunks.push(chunk);
      length += chunk.length;
    }
  } catch (error) {
    throw toFeedParseError(error, name);
  }

  async function* replay(): AsyncGenerator<Buffer> {
    try {
      yield* chunks;
      if (ended) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      }
    } finally {
      if (!ended) await iterator.return?.();
    }
  }
  return { head: Buffer.concat(chunks), stream: Readable.from(replay(), { objectMode: false }) };
}

/** Returns the stream itself, or a gunzipping stream when it starts with the gzip magic bytes. */
export async function decodeStream(name: string, raw: Readable): Promise<Readable> {
  const peeked = await peekStream(raw, 2, name);
  if (!isGzipMagic(peeked.head)) return peeked.stream;

  const gunzip = createGunzip();
  pipeline(peeked.stream, gunzip, () => {
    // pipeline destroys `gunzip` with any error, and the reader below rethrows it.
  });
  return mapStreamErrors(gunzip, (error) => toFeedParseError(error, name));
}

/** Returns a stream of the same bytes whose errors are replaced by `map(error)`. */
export function mapStreamErrors(stream: Readable, map: (error: unknown) => Error): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (error) {
      throw map(error);
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/**
 * Converts a stream error into a FeedParseError naming the file. zlib reports a gzip stream
 * that stops before its end marker as `Z_BUF_ERROR` ("unexpected end of file"), and corrupt
 * data as `Z_DATA_ERROR`. A HuntpackError passes through unchanged.
 */
export function toFeedParseError(error: unknown, file: string): HuntpackError {
  if (error instanceof HuntpackError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  const source = { file };
  if (code === 'Z_BUF_ERROR') {
    return new FeedParseError(
      'TRUNCATED_GZIP',
      `Truncated gzip data in ${quoteValue(file)}: the compressed stream ends before its end marker, so the file is incomplete. Download or copy it again.`,
      { source, cause: error },
    );
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new FeedParseError(
      'CORRUPT_GZIP',
      `Corrupt gzip data in ${quoteValue(file)} (${reason}): expected a valid gzip stream. Download or copy it again.`,
      { source, cause: error },
    );
  }
  return new FeedParseError('READ_FAILED', `Failed to read ${quoteValue(file)}: ${reason}.`, {
    source,
    cause: error,
  });
}
