/**
 * Writing large generated files piece by piece: a pack of 500,000 indicators makes hundreds of
 * megabytes of JSON and CSV, which must never be built as one string in memory.
 */
import { close, openSync, write, writeSync } from 'node:fs';

/** Size of the buffers that text is encoded into before it is written: 1 MiB. */
const BUFFER_BYTES = 1 << 20;

/**
 * Buffers that may be on their way to the file at once. The writes run on libuv's thread pool
 * while the build makes the next text. Past this many, a write waits on the calling thread, so
 * a slow disk costs time rather than memory.
 */
const MAX_WRITES_IN_FLIGHT = 16;

/**
 * Characters joined into one string before they are encoded. Encoding one 64 Ki-character
 * string is about three times faster than encoding its thousand pieces one by one (Node.js 20).
 */
const PENDING_CHARACTERS = 1 << 16;

/** UTF-8 takes at most 3 bytes for each UTF-16 code unit of a JavaScript string. */
const MAX_BYTES_PER_CHARACTER = 3;

/**
 * Collects text, encodes it into 1 MiB buffers and writes each full buffer to its place in the
 * file on the thread pool, while the caller goes on. `close` waits for the writes, closes the
 * file and raises the first write error.
 */
export class TextFileWriter {
  private readonly fd: number;
  private buffer: Buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  /** Buffers whose writes have ended, for reuse. */
  private readonly spare: Buffer[] = [];
  private used = 0;
  private pending = '';
  /** File offset of the next buffer. */
  private position = 0;
  private inFlight = 0;
  private failure: unknown;
  private drained: (() => void) | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o666);
  }

  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= PENDING_CHARACTERS) this.encodePending();
  }

  /**
   * Writes what is pending, waits for every write and closes the file, also when a write failed.
   *
   * @throws the first write error, with `path` in its message.
   */
  async close(): Promise<void> {
    try {
      if (this.failure === undefined) this.flush();
    } catch (error) {
      this.failure ??= error;
    }
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await new Promise<void>((resolve, reject) =>
      close(this.fd, (error) => (error ? reject(error) : resolve())),
    );
    if (this.failure !== undefined) throw withPath(this.failure, this.path);
  }

  private encodePending(): void {
    const text = this.pending;
    this.pending = '';
    // Encoding is done only when the text surely fits, because Buffer.write drops what does not.
    if (text.length * MAX_BYTES_PER_CHARACTER > BUFFER_BYTES - this.used) {
      this.writeBuffer();
      if (text.length * MAX_BYTES_PER_CHARACTER > BUFFER_BYTES) {
        this.writeBytes(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.used += this.buffer.write(text, this.used);
  }

  private flush(): void {
    this.encodePending();
    this.writeBuffer();
  }

  private writeBuffer(): void {
    if (this.used === 0) return;
    const full = this.buffer;
    const bytes = full.subarray(0, this.used);
    this.used = 0;
    if (this.inFlight >= MAX_WRITES_IN_FLIGHT) {
      this.writeBytes(bytes);
      return;
    }
    this.writeBytes(bytes, full);
    this.buffer = this.spare.pop() ?? Buffer.allocUnsafe(BUFFER_BYTES);
  }

  /**
   * Writes `bytes` after what was written so far: on the thread pool when they lie in `owner`, a
   * buffer to reuse once they are written, else on the calling thread.
   */
  private writeBytes(bytes: Buffer, owner?: Buffer): void {
    if (this.failure !== undefined) throw withPath(this.failure, this.path);
    const position = this.position;
    this.position += bytes.length;
    if (owner) {
      this.inFlight += 1;
      this.writeFrom(bytes, 0, position, owner);
      return;
    }
    try {
      let offset = 0;
      while (offset < bytes.length) {
        offset += writeSync(this.fd, bytes, offset, bytes.length - offset, position + offset);
      }
    } catch (error) {
      throw withPath(error, this.path);
    }
  }

  private writeFrom(bytes: Buffer, offset: number, position: number, owner: Buffer): void {
    write(this.fd, bytes, offset, bytes.length - offset, position, (error, written) => {
      if (!error && offset + written < bytes.length) {
        this.writeFrom(bytes, offset + written, position + written, owner);
        return;
      }
      if (error) this.failure ??= error;
      this.inFlight -= 1;
      this.spare.push(owner);
      if (this.inFlight === 0) this.drained?.();
    });
  }
}

/**
 * Adds the file path to a write error, as Node.js gives it for an open error but not for a write
 * error (`ENOSPC: no space left on device, write`).
 */
function withPath(error: unknown, path: string): unknown {
  const failure = error as NodeJS.ErrnoException;
  if (!(error instanceof Error) || failure.path !== undefined) return error;
  failure.path = path;
  failure.message += ` '${path}'`;
  return failure;
}

/**
 * Opens `path`, lets `fill` write into it and closes it once every write has ended.
 *
 * @throws the file system error of the open or of a write, with `path` in its message, or the
 *   error of `fill`, which takes precedence.
 */
export async function writeTextFile(
  path: string,
  fill: (out: TextFileWriter) => void,
): Promise<void> {
  const out = new TextFileWriter(path);
  try {
    fill(out);
  } catch (error) {
    // The fill's error is the one to report, and the file is still closed after its writes.
    await out.close().catch(() => undefined);
    throw error;
  }
  await out.close();
}
