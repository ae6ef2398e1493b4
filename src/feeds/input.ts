/**
 * Opening feed inputs: a path or `-` for standard input, plain, gzip or zip, detected by magic
 * bytes rather than by name. Every input is read as a stream, so a large CSV or NDJSON file
 * never sits in memory whole.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { constants, isAscii, isUtf8 } from 'node:buffer';
import type { HuntpackIssue } from '../errors.js';
import { FeedParseError, HuntpackError, InternalError, quoteValue } from '../errors.js';
import { decodeStream, isGzipMagic, isZipMagic, peekStream, toFeedParseError } from './streams.js';
import { lineLimitText, MAX_LINE_BYTES } from './line-limit.js';
import { openZipBuffer, openZipFile } from './zip.js';

/** One readable feed: a file, standard input or one entry of a zip archive. */
export interface FeedInput {
  /** Name for messages: the path as given, `-` for standard input, or `archive.zip!entry.csv`. */
  readonly name: string;
  /**
   * Opens a stream of the input's bytes, already decompressed when the input is gzip. A file
   * or zip entry can be opened again, but standard input and a peeked input only once.
   */
  open(): Promise<Readable>;
}

/** The inputs behind one path, with the handle that releases them (an open zip archive). */
export interface OpenedInputs {
  inputs: FeedInput[];
  /** Warnings about the path itself, such as a `.gz` name on data that is not gzip. */
  issues?: HuntpackIssue[];
  close(): Promise<void>;
}

export interface OpenInputsOptions {
  /** Stream read for the path `-`. Default: `process.stdin`. */
  stdin?: Readable;
}

/** One line of text without its line break, with its 1-based line number. */
export interface TextLine {
  line: string;
  lineNumber: number;
}

/**
 * Opens a path, or standard input for `-`. A zip archive yields one input per file entry,
 * and anything else yields one input, gunzipped when it starts with the gzip magic bytes.
 *
 * @throws FeedParseError when the file is missing, is a directory or is a broken archive.
 */
export async function openInputs(
  path: string,
  options: OpenInputsOptions = {},
): Promise<OpenedInputs> {
  if (path === '-') return openStdin(options.stdin ?? process.stdin);

  await checkFile(path);
  const head = await readHead(path);
  let opened: OpenedInputs;
  if (isZipMagic(head)) {
    opened = await openZipFile(path);
  } else {
    const input: FeedInput = {
      name: path,
      open: async () => decodeStream(path, createReadStream(path, { highWaterMark: 256 * 1024 })),
    };
    opened = { inputs: [input], close: async () => {} };
  }
  const misnamed = misnamedDataIssue(path, head);
  if (misnamed) opened.issues = [misnamed];
  return opened;
}

/** Bytes read from the start of a file to detect zip and gzip and to quote in warnings. */
const HEAD_BYTES = 16;

/** The compressed formats that inputs are detected as, each with its file name ending. */
const COMPRESSED_FORMATS = [
  {
    extension: /\.gz$/i,
    name: '.gz',
    code: 'NOT_GZIP_DATA',
    data: 'gzip data',
    magic: 'the gzip magic bytes 1f 8b',
    matches: isGzipMagic,
  },
  {
    extension: /\.zip$/i,
    name: '.zip',
    code: 'NOT_ZIP_DATA',
    data: 'a zip archive',
    magic: 'the zip signature 50 4b 03 04 ("PK")',
    matches: isZipMagic,
  },
];

/**
 * Returns a warning when a file is named `.gz` or `.zip` but does not start with that format's
 * magic bytes, or undefined. A failed download often saves an HTML error page under the feed's
 * name. Such a file is still read as its content is detected, as any other file is, because
 * detection goes by content. An empty file gets no warning here, because the build already
 * warns that it is empty.
 */
function misnamedDataIssue(path: string, head: Buffer): HuntpackIssue | undefined {
  if (head.length === 0) return undefined;
  const format = COMPRESSED_FORMATS.find((entry) => entry.extension.test(path));
  if (format === undefined || format.matches(head)) return undefined;

  const hex = [...head.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0'));
  const start = `${quoteValue(head.toString('latin1'))} (bytes ${hex.join(' ')})`;
  return {
    code: format.code,
    severity: 'warning',
    message:
      `File ${quoteValue(path)} is named ${format.name} but is not ${format.data}: it starts ` +
      `with ${start}, not ${format.magic}. A failed download often saves an error page under ` +
      `the feed's name. The file is read as its content is detected, so download it again ` +
      `if it should be ${format.data}.`,
    source: { file: path },
  };
}

async function checkFile(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      throw new FeedParseError(
        'INPUT_IS_DIRECTORY',
        `Input ${quoteValue(path)} is a directory: expected a feed file. Pass the files inside it instead.`,
        { source: { file: path } },
      );
    }
  } catch (error) {
    if (error instanceof HuntpackError) throw error;
    throw new FeedParseError(
      'FILE_NOT_FOUND',
      `Cannot open feed file ${quoteValue(path)}: ${(error as Error).message}. Check the path.`,
      { source: { file: path }, cause: error },
    );
  }
}

async function readHead(path: string): Promise<Buffer> {
  const stream = createReadStream(path, { start: 0, end: HEAD_BYTES - 1 });
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
  } catch (error) {
    throw toFeedParseError(error, path);
  }
  return Buffer.concat(chunks);
}

async function openStdin(stdin: Readable): Promise<OpenedInputs> {
  const peeked = await peekStream(stdin, 4, '-');
  if (isZipMagic(peeked.head)) {
    // NOTE: zip needs random access to its central directory at the end, so a zip archive on
    // standard input is held in memory whole. Pass large archives as a path instead.
    const chunks: Buffer[] = [];
    for await (const chunk of peeked.stream) chunks.push(chunk as Buffer);
    return openZipBuffer('-', Buffer.concat(chunks));
  }
  return { inputs: [openOnce('-', () => decodeStream('-', peeked.stream))], close: async () => {} };
}

/** Wraps a stream that can be consumed only once as an input. */
export function openOnce(name: string, open: () => Promise<Readable>): FeedInput {
  let opened = false;
  return {
    name,
    open: async () => {
      if (opened) {
        throw new InternalError('INPUT_REOPENED', `Input ${quoteValue(name)} was opened twice.`);
      }
      opened = true;
      return open();
    },
  };
}

/**
 * Reads the first `maxBytes` of an input for format detection. Returns the sample as text and
 * an input that replays the sample and then the rest, so the input is read only once.
 */
export async function peekInput(
  input: FeedInput,
  maxBytes = 64 * 1024,
): Promise<{ sample: string; input: FeedInput }> {
  const peeked = await peekStream(await input.open(), maxBytes, input.name);
  const sample = new TextDecoder('utf-8').decode(peeked.head.subarray(0, maxBytes), {
    stream: true,
  });
  return { sample, input: openOnce(input.name, () => Promise.resolve(peeked.stream)) };
}

/**
 * Reads an input line by line. Handles LF and CRLF, a missing final newline and a UTF-8 byte
 * order mark. A line is yielded only once its line break (or the clean end of the input) has
 * been read, so a stream that fails part way never yields a cut-off line.
 *
 * @throws FeedParseError on invalid UTF-8, truncated gzip data or a read error.
 */
export async function* readLines(input: FeedInput): AsyncGenerator<TextLine> {
  for await (const batch of readLineBatches(input)) yield* batch;
}

/**
 * Reads an input as batches of lines, one batch per chunk read, with the guarantees of
 * {@link readLines}. Readers of large files use it to avoid one promise per line.
 */
export async function* readLineBatches(input: FeedInput): AsyncGenerator<TextLine[]> {
  for await (const { text, firstLine } of readTextChunks(input)) {
    const batch: TextLine[] = [];
    forEachLine(text, firstLine, (start, stop, lineNumber) => {
      batch.push({ line: text.slice(start, stop), lineNumber });
    });
    yield batch;
  }
}

/**
 * Calls `visit` with the bounds of each line of a {@link TextChunk}'s text, without its `\n` or
 * `\r\n`, and its line number, so that a reader can parse lines in place without slicing them.
 */
export function forEachLine(
  text: string,
  firstLine: number,
  visit: (start: number, stop: number, lineNumber: number) => void,
): void {
  let lineNumber = firstLine;
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const stop = end > start && text.charCodeAt(end - 1) === CARRIAGE_RETURN ? end - 1 : end;
    visit(start, stop, lineNumber);
    lineNumber += 1;
    start = end + 1;
  }
}

/** Whole lines of text decoded from an input. */
export interface TextChunk {
  /**
   * One or more lines, each ended by `\n` (or `\r\n`), except the last line of an input that
   * has no final newline.
   */
  text: string;
  /** 1-based line number of the first line in `text`. */
  firstLine: number;
}

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Reads an input as chunks of whole lines, one chunk per block read from the stream, with the
 * UTF-8 byte order mark removed. Bytes are cut after the last line feed of each block, so a
 * chunk never ends inside a line or inside a multi-byte character, and a stream that fails part
 * way never yields a cut-off line. Readers of large files parse the chunk text in place rather
 * than slicing every line.
 *
 * NOTE: a slice of a chunk keeps the whole chunk (up to a few hundred kilobytes) in memory, so
 * a reader copies the text it keeps for long.
 *
 * @param maxLineBytes maximum bytes in one line, without its line break. Tests lower it.
 * @throws FeedParseError on a line longer than `maxLineBytes`, a NUL byte, invalid UTF-8,
 *   truncated gzip data or a read error.
 */
export async function* readTextChunks(
  input: FeedInput,
  maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<TextChunk> {
  const stream = await input.open();
  // The blocks read since the last line feed. They are joined once, when a line feed arrives,
  // so a long line costs time linear in its length.
  const pending = new PendingBytes();
  let atStart = true;
  let firstLine = 1;
  // Bytes of the decompressed input before the next chunk, for the offset of a NUL byte.
  let offset = 0;
  try {
    for await (const chunk of stream) {
      let block = chunk as Buffer;
      if (atStart) {
        pending.push(block);
        const head = pending.take();
        block = withoutBoms(head);
        offset += head.length - block.length;
        // Too few bytes to tell a byte order mark from text: wait for the next block.
        if (block.length < UTF8_BOM.length && UTF8_BOM.subarray(0, block.length).equals(block)) {
          pending.push(block);
          continue;
        }
        atStart = false;
      }
      const lastNewline = block.lastIndexOf(LINE_FEED);
      if (lastNewline === -1) {
        pending.push(block);
        // One byte more, because the last byte may be the CR of a CRLF.
        if (pending.length > maxLineBytes + 1) {
          throw lineTooLongError(input.name, firstLine, maxLineBytes);
        }
        continue;
      }
      pending.push(block.subarray(0, lastNewline + 1));
      const whole = pending.take();
      if (lastNewline + 1 < block.length) pending.push(block.subarray(lastNewline + 1));

      const lineFeeds = checkLineLengths(whole, input.name, firstLine, maxLineBytes);
      checkNoNul(whole, input.name, firstLine, offset);
      const text = decodeUtf8(whole, input.name, firstLine);
      yield { text, firstLine };
      firstLine += lineFeeds;
      offset += whole.length;
    }
  } catch (error) {
    stream.destroy();
    throw toFeedParseError(error, input.name);
  }
  const rest = atStart ? withoutBoms(pending.take()) : pending.take();
  checkLineLengths(rest, input.name, firstLine, maxLineBytes);
  checkNoNul(rest, input.name, firstLine, offset);
  if (rest.length > 0) yield { text: decodeUtf8(rest, input.name, firstLine), firstLine };
}

/** Blocks of bytes that are joined into one buffer only when they are taken. */
class PendingBytes {
  private blocks: Buffer[] = [];
  /** Total bytes in the blocks. */
  length = 0;

  push(block: Buffer): void {
    if (block.length === 0) return;
    this.blocks.push(block);
    this.length += block.length;
  }

  /** Returns the blocks as one buffer and empties the list. */
  take(): Buffer {
    const joined =
      this.blocks.length === 1 ? this.blocks[0]! : Buffer.concat(this.blocks, this.length);
    this.blocks = [];
    this.length = 0;
    return joined;
  }
}

/**
 * Removes every byte order mark at the start. Some tools add one to a file that already has
 * one, and a second mark would otherwise be read as part of the first header name.
 */
function withoutBoms(bytes: Buffer): Buffer {
  let start = 0;
  while (bytes.subarray(start, start + UTF8_BOM.length).equals(UTF8_BOM)) {
    start += UTF8_BOM.length;
  }
  return bytes.subarray(start);
}

/**
 * Counts the line feeds in `bytes` and checks the length of every line, without its LF or CRLF.
 * Every line but the last ends with a line feed.
 *
 * @throws FeedParseError on a line longer than `maxLineBytes`.
 */
function checkLineLengths(
  bytes: Buffer,
  file: string,
  firstLine: number,
  maxLineBytes: number,
): number {
  let count = 0;
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(LINE_FEED, start);
    const end = newline === -1 ? bytes.length : newline;
    const length =
      end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 - start : end - start;
    if (length > maxLineBytes) {
      throw lineTooLongError(file, firstLine + count, maxLineBytes);
    }
    if (newline === -1) break;
    count += 1;
    start = newline + 1;
  }
  return count;
}

/** Returns the error for a line longer than `maxLineBytes`, the maximum line length of a feed. */
export function lineTooLongError(file: string, line: number, maxLineBytes: number): FeedParseError {
  return new FeedParseError(
    'LINE_TOO_LONG',
    `Line ${line} of ${quoteValue(file)} is longer than ${lineLimitText(maxLineBytes)}, the maximum line length of a ` +
      'feed, so the file is not a feed or is corrupt. Check that it is the file you meant, or ' +
      'download it again.',
    { source: { file, line } },
  );
}

/**
 * Checks that `bytes`, which start at line `firstLine` and byte `offset` of the input, contain
 * no NUL byte. A text feed has no NUL byte, so a NUL means binary data or UTF-16 text. The whole input
 * fails, because a reader that skipped the NUL would read a different value than the writer
 * meant (`evil\0x.evil-c2.xyz` as the domain `x.evil-c2.xyz`).
 *
 * @throws FeedParseError naming the line and byte offset of the first NUL.
 */
function checkNoNul(bytes: Buffer, file: string, firstLine: number, offset: number): void {
  const nul = bytes.indexOf(0);
  if (nul === -1) return;
  const line = firstLine + countLineFeeds(bytes.subarray(0, nul));
  throw nulByteError(file, line, offset + nul, offset === 0 ? utf16Encoding(bytes) : undefined);
}

function countLineFeeds(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(LINE_FEED); at !== -1; at = bytes.indexOf(LINE_FEED, at + 1)) {
    count += 1;
  }
  return count;
}

/**
 * Returns how text that starts with these bytes is encoded when it looks like UTF-16, such as
 * `UTF-16LE with a byte order mark`, or undefined. Without a byte order mark, the first 32 code
 * units must be mostly ASCII, as feed headers are, so that every other byte is NUL.
 */
export function utf16Encoding(head: ArrayLike<number>): string | undefined {
  if (head[0] === 0xff && head[1] === 0xfe) return 'UTF-16LE with a byte order mark';
  if (head[0] === 0xfe && head[1] === 0xff) return 'UTF-16BE with a byte order mark';
  const pairs = Math.min(head.length, 64) >> 1;
  if (pairs < 2) return undefined;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let index = 0; index < pairs * 2; index += 1) {
    if (head[index] !== 0) continue;
    if (index % 2 === 0) evenNuls += 1;
    else oddNuls += 1;
  }
  if (evenNuls === 0 && oddNuls >= pairs * 0.75) return 'UTF-16LE without a byte order mark';
  if (oddNuls === 0 && evenNuls >= pairs * 0.75) return 'UTF-16BE without a byte order mark';
  return undefined;
}

/**
 * Returns the error for a NUL byte at `line` and byte `offset`, or for UTF-16 text when
 * `encoding` names it.
 */
export function nulByteError(
  file: string,
  line: number,
  offset: number,
  encoding: string | undefined,
): FeedParseError {
  if (encoding !== undefined) return utf16Error(file, encoding);
  return new FeedParseError(
    'NUL_BYTE',
    `${quoteValue(file)} contains a NUL byte at line ${line} (byte offset ${offset}), so it is ` +
      'binary data or UTF-16 text, not a feed in UTF-8. Check that it is the file you meant, ' +
      'or convert it to UTF-8.',
    { source: { file, line } },
  );
}

/** Returns the error for a feed in UTF-16, such as `UTF-16LE with a byte order mark`. */
export function utf16Error(file: string, encoding: string): FeedParseError {
  const from = encoding.slice(0, 'UTF-16LE'.length);
  return new FeedParseError(
    'UTF16_TEXT',
    `${quoteValue(file)} is ${encoding}, but huntpack reads feeds as UTF-8. Convert it, for ` +
      `example with iconv -f ${from} -t UTF-8 FILE > NEW, and run again.`,
    { source: { file, line: 1 } },
  );
}

/**
 * Decodes whole lines of UTF-8. Plain ASCII, the usual content of a feed, is copied as
 * one-byte text without a decoder.
 */
function decodeUtf8(bytes: Buffer, file: string, firstLine: number): string {
  if (isAscii(bytes)) return bytes.toString('latin1');
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const line = firstLine + firstInvalidLine(bytes);
  throw new FeedParseError(
    'INVALID_UTF8',
    `Invalid UTF-8 in ${quoteValue(file)} at line ${line}: expected UTF-8 text. Convert the file to UTF-8.`,
    { source: { file, line } },
  );
}

/** Returns how many lines precede the first line of `bytes` that is not valid UTF-8. */
function firstInvalidLine(bytes: Buffer): number {
  let index = 0;
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(LINE_FEED, start);
    const end = newline === -1 ? bytes.length : newline;
    if (!isUtf8(bytes.subarray(start, end))) return index;
    index += 1;
    start = end + 1;
  }
  return index;
}

/**
 * Reads a whole input as text, without byte order marks, for formats such as JSON that must
 * be parsed as one document.
 *
 * @throws FeedParseError on a NUL byte, invalid UTF-8, truncated gzip data or a read error.
 */
export async function readText(input: FeedInput): Promise<string> {
  const stream = await input.open();
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length > constants.MAX_STRING_LENGTH) throw tooLarge(input.name);
    }
  } catch (error) {
    stream.destroy();
    throw toFeedParseError(error, input.name);
  }
  const bytes = Buffer.concat(chunks);
  checkNoNul(bytes, input.name, 1, 0);
  try {
    // The decoder removes one byte order mark, and the replace removes the rest.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF+/, '');
  } catch (error) {
    throw new FeedParseError(
      'INVALID_UTF8',
      `Invalid UTF-8 in ${quoteValue(input.name)}: expected UTF-8 text. Convert the file to UTF-8.`,
      { source: { file: input.name }, cause: error },
    );
  }
}

/** Returns the error for a document longer than the longest string V8 can hold. */
function tooLarge(file: string): FeedParseError {
  return new FeedParseError(
    'INPUT_TOO_LARGE',
    `Input ${quoteValue(file)} is larger than ${constants.MAX_STRING_LENGTH} bytes, the longest text Node.js can parse as one JSON document. Split it, or use a format that is read line by line, such as the ThreatFox CSV export.`,
    { source: { file } },
  );
}

/** Strings shorter than this are copied by `slice`, so they never keep a chunk alive. */
const MIN_SLICED_LENGTH = 13;

/**
 * Returns `text` as a string of its own, for text sliced out of a {@link TextChunk} that a reader
 * keeps after the chunk is done, so the kept text does not keep the whole chunk in memory.
 *
 * NOTE: this relies on how V8 (Node.js 20) stores strings. A slice of 13 or more characters
 * points into its parent string, and `Array.prototype.join` writes its result into a new flat
 * string.
 */
export function detachText(text: string): string {
  if (text.length < MIN_SLICED_LENGTH) return text;
  return [text[0], text.slice(1)].join('');
}
