/**
 * Writing large generated files piece by piece: a pack of 500,000 indicators makes hundreds of
 * megabytes of JSON and CSV, which must never be built as one string in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** Size of the buffer that text is encoded into before it is written: 1 MiB. */
const BUFFER_BYTES = 1 << 20;

/**
 * Characters joined into one string before they are encoded. Encoding one 64 Ki-character
 * string is about three times faster than encoding its thousand pieces one by one (Node.js 20).
 */
const PENDING_CHARACTERS = 1 << 16;

/** UTF-8 takes at most 3 bytes for each UTF-16 code unit of a JavaScript string. */
const MAX_BYTES_PER_CHARACTER = 3;

/**
 * Collects text, encodes it into a reusable 1 MiB buffer and writes the buffer to a file when the
 * next text may not fit, with synchronous writes: the build is a batch job with nothing else to
 * do meanwhile.
 */
export class TextFileWriter {
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private pending = '';

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o666);
  }

  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= PENDING_CHARACTERS) this.encodePending();
  }

  /** Writes what is pending and closes the file; the file is closed even when the write fails. */
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
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
    const used = this.used;
    this.used = 0;
    this.writeBytes(this.buffer.subarray(0, used));
  }

  private writeBytes(bytes: Uint8Array): void {
    let offset = 0;
    try {
      while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset);
    } catch (error) {
      throw withPath(error, this.path);
    }
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
 * Opens `path`, lets `fill` write into it and closes it.
 *
 * @throws the file system error of the open or of a write, with `path` in its message.
 */
export function writeTextFile(path: string, fill: (out: TextFileWriter) => void): void {
  const out = new TextFileWriter(path);
  let failed = true;
  try {
    fill(out);
    failed = false;
  } finally {
    // A failed fill keeps its error; a close error then must not replace it.
    if (failed) {
      try {
        out.close();
      } catch {
        // The fill's error is the one to report.
      }
    } else {
      out.close();
    }
  }
}
