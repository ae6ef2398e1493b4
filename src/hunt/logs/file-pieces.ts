/**
 * Splits a plain (uncompressed) file into byte ranges that can be read on their own, and reads
 * the lines of one range synchronously in large chunks. A line belongs to the range in which its
 * first byte lies, so the ranges together give every line exactly once, and a range's first line
 * is line 1 of that range.
 */
import { readSync } from 'node:fs';
import { MAX_LINE_BYTES } from '../../feeds/line-limit.js';

/** Bytes `[start, end)` of a file. The last range has `end` Infinity, so it reads to the end. */
export interface FilePiece {
  start: number;
  end: number;
}

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

/** Splits `size` bytes into ranges of about `pieceBytes`. */
export function splitIntoPieces(size: number, pieceBytes: number): FilePiece[] {
  const pieces: FilePiece[] = [];
  for (let start = 0; start < size || pieces.length === 0; start += pieceBytes) {
    pieces.push({ start, end: start + pieceBytes >= size ? Infinity : start + pieceBytes });
    if (start + pieceBytes >= size) break;
  }
  return pieces;
}

/** A failure to read part of a range, with the lines read before it. */
export class PieceReadError extends Error {
  constructor(
    override readonly cause: unknown,
    /** Text of a line that the failure cut off, if one had started. */
    readonly partialLine: string | undefined,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** An open file, and its size in bytes when reading began. */
export interface OpenFile {
  descriptor: number;
  size: number;
}

/**
 * Reads the lines of `piece`, with `\r\n` and a leading byte order mark removed, and passes them
 * to `onLines` in batches, one batch per chunk read. Invalid UTF-8 reads as U+FFFD, as in a
 * UTF-8 text stream. The file is read through its descriptor, so a file renamed or replaced
 * meanwhile is still read whole.
 *
 * @param maxLineBytes bytes in a line, without its line break, beyond which reading stops.
 * @throws PieceReadError when the file cannot be read, ends before `file.size` bytes because
 *   it became shorter, or has a line longer than `maxLineBytes` (code `LINE_TOO_LONG`). The lines
 *   before that have been passed.
 */
export function readPieceLines(
  file: OpenFile,
  piece: FilePiece,
  onLines: (lines: string[]) => void,
  chunkBytes = 64 * 1024,
  maxLineBytes = MAX_LINE_BYTES,
): void {
  const descriptor = file.descriptor;
  let buffer = Buffer.allocUnsafe(chunkBytes);
  /** File offset of `buffer[0]`. */
  let offset = piece.start > 0 ? piece.start - 1 : 0;
  let filled = 0;
  /** Index in `buffer` where the next line starts, or -1 while looking for the first one. */
  let lineStart = piece.start > 0 ? -1 : 0;
  let firstLine = piece.start === 0;

  const read = (): number => {
    if (filled === buffer.length) {
      // The unfinished line fills the buffer; a line break may follow its last byte, a CR.
      if (lineStart >= 0 && filled - lineStart > maxLineBytes + 1) {
        throw lineTooLongError(maxLineBytes);
      }
      const grown = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(grown, 0, 0, filled);
      buffer = grown;
    }
    let bytesRead: number;
    try {
      bytesRead = readSync(descriptor, buffer, filled, buffer.length - filled, offset + filled);
    } catch (error) {
      throw new PieceReadError(error, partialLine());
    }
    // A range reads on until its last line ends, so any end of file before the size is a cut.
    if (bytesRead === 0 && offset + filled < file.size) {
      const shrunk = Object.assign(
        new Error(
          `the file ends at byte ${offset + filled} but had ${file.size} bytes when the hunt began, so it was truncated while being read. Copy the file and hunt over the copy.`,
        ),
        { code: 'FILE_TRUNCATED' },
      );
      throw new PieceReadError(shrunk, partialLine());
    }
    return bytesRead;
  };
  const partialLine = (): string | undefined => {
    const partial = lineStart >= 0 && lineStart < filled ? decode(lineStart, filled) : undefined;
    return partial === '' ? undefined : partial;
  };
  const decode = (from: number, to: number): string => {
    let text = buffer.toString('utf8', from, to);
    if (firstLine && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text;
  };
  /**
   * Decodes each line of `[from, to)`, which ends with a newline, on its own. A line decoded
   * apart is a flat string, which the CEF scan reads faster than a slice of a larger one. The
   * text is the same, because no UTF-8 sequence contains a newline byte.
   */
  /** Offset in `buffer` of the next carriage return at or after the line being decoded, or -1. */
  let nextReturn = -1;
  /**
   * Tells whether `[start, end)` contains a carriage return: lines that end with CR alone from here
   * on, which would read as one line. The lines before it are kept and the file is reported.
   */
  const hasInnerReturn = (start: number, end: number): boolean => {
    // The buffer is searched again only past the return found last, so a buffer whose lines end
    // with LF alone is searched once, not once per line.
    if (nextReturn !== -1 && nextReturn < start)
      nextReturn = buffer.indexOf(CARRIAGE_RETURN, start);
    return nextReturn >= 0 && nextReturn < end;
  };
  const decodeLines = (from: number, to: number): string[] => {
    const lines: string[] = [];
    let start = from;
    nextReturn = buffer.indexOf(CARRIAGE_RETURN, from);
    while (start < to) {
      const newline = buffer.indexOf(NEWLINE, start);
      const end =
        newline > start && buffer[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
      if (hasInnerReturn(start, end)) {
        onLines(lines);
        throw loneReturnError();
      }
      if (end - start > maxLineBytes) {
        onLines(lines);
        throw lineTooLongError(maxLineBytes);
      }
      lines.push(decode(start, end));
      firstLine = false;
      start = newline + 1;
    }
    return lines;
  };

  for (;;) {
    const bytesRead = read();
    filled += bytesRead;
    if (lineStart < 0) {
      // The range starts inside a line that belongs to the range before: skip to its end.
      const newline = buffer.indexOf(NEWLINE, 0);
      if (newline >= 0 && newline < filled) lineStart = newline + 1;
      // That line may run past the whole range, which then has no line of its own.
      if (lineStart >= 0 && offset + lineStart >= piece.end) return;
      // A line longer than the limit fails in the range where it starts, so this range stops
      // here. Reading on would make a file of one long line cost time quadratic in its ranges.
      if (lineStart < 0 && offset + filled - piece.start > maxLineBytes + 1) return;
    }
    if (lineStart >= 0) {
      // Lines that start before the range's end are ours; the one that starts at or after it is not.
      const stop = piece.end - offset - 1;
      const limit = stop < filled ? buffer.indexOf(NEWLINE, Math.max(stop, lineStart)) : -1;
      const done = limit >= 0 && limit < filled;
      let last = limit;
      if (!done) {
        // A negative offset would make lastIndexOf search from the end of the buffer.
        last = filled > 0 ? buffer.lastIndexOf(NEWLINE, filled - 1) : -1;
      }
      if (last >= lineStart) {
        onLines(decodeLines(lineStart, last + 1));
        firstLine = false;
        lineStart = last + 1;
      }
      if (done || (bytesRead === 0 && lineStart >= filled)) return;
      if (bytesRead === 0) {
        // The file ends without a newline after its last line.
        if (stop >= lineStart) {
          const end = buffer[filled - 1] === CARRIAGE_RETURN ? filled - 1 : filled;
          nextReturn = buffer.indexOf(CARRIAGE_RETURN, lineStart);
          if (hasInnerReturn(lineStart, end)) throw loneReturnError();
          if (end - lineStart > maxLineBytes) throw lineTooLongError(maxLineBytes);
          onLines([decode(lineStart, end)]);
        }
        return;
      }
    } else if (bytesRead === 0) {
      return;
    }
    // Keep the unfinished line at the start of the buffer and read on.
    const keep = lineStart >= 0 ? lineStart : filled;
    buffer.copy(buffer, 0, keep, filled);
    offset += keep;
    filled -= keep;
    if (lineStart >= 0) lineStart = 0;
  }
}

function loneReturnError(): PieceReadError {
  const cause = Object.assign(new Error('a line ends with a carriage return alone'), {
    code: 'CR_LINE_ENDS',
  });
  return new PieceReadError(cause, undefined);
}

/** Returns the failure at a line longer than `maxLineBytes`, which is not kept as a partial line. */
function lineTooLongError(maxLineBytes: number): PieceReadError {
  const cause = Object.assign(new Error(`a line is longer than ${maxLineBytes} bytes`), {
    code: 'LINE_TOO_LONG',
  });
  return new PieceReadError(cause, undefined);
}
