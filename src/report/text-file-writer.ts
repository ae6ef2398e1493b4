/**
 * Writing large generated files piece by piece: a pack of 500,000 indicators makes hundreds of
 * megabytes of JSON and CSV, which must never be built as one string in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** Characters collected before they are encoded and written; about 1 MiB of ASCII text. */
const CHUNK_CHARACTERS = 1 << 20;

/**
 * Collects text and writes it to a file in chunks of about a mebibyte, with synchronous writes:
 * the build is a batch job with nothing else to do while a chunk goes to disk.
 */
export class TextFileWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private pendingCharacters = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o666);
  }

  write(text: string): void {
    this.parts.push(text);
    this.pendingCharacters += text.length;
    if (this.pendingCharacters >= CHUNK_CHARACTERS) this.flush();
  }

  /** Writes what is pending and closes the file; the file is closed even when the write fails. */
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    const bytes = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pendingCharacters = 0;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset);
  }
}

/**
 * Opens `path`, lets `fill` write into it and closes it.
 *
 * @throws the file system error of the open or of a write.
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
