/**
 * Opens log files as streams of text, plain or gzip (recognized by its magic bytes, whatever the
 * file name), and splits them into lines without holding a whole file in memory. Also expands
 * the caller's paths (files, folders searched recursively, glob patterns) into sorted files.
 */
import { crLineEndsAdvice } from '../../feeds/line-ends.js';
import { lineLimitText, lineTooLong, MAX_LINE_BYTES } from '../../feeds/line-limit.js';
import * as fs from 'node:fs';
import { open, readlink, stat, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { glob, isDynamicPattern, type FileSystemAdapter } from 'tinyglobby';
import { FeedParseError, systemMessage, type HuntpackIssue } from '../../errors.js';

/** A failure to open or read a file, with the incomplete last line when there was one. */
export class LogInputError extends FeedParseError {
  partialLine: { line: number; text: string } | undefined;
}

/** True when a file starts with the gzip magic bytes. */
export async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    return await hasGzipMagic(handle);
  } finally {
    await handle.close();
  }
}

async function hasGzipMagic(handle: FileHandle): Promise<boolean> {
  return isGzipStart(await readStart(handle, 2));
}

async function readStart(handle: FileHandle, length: number): Promise<Buffer> {
  const start = Buffer.alloc(length);
  const { bytesRead } = await handle.read(start, 0, length, 0);
  return start.subarray(0, bytesRead);
}

function isGzipStart(start: Buffer): boolean {
  return start.length >= 2 && start[0] === 0x1f && start[1] === 0x8b;
}

/** Bytes, or characters once decompressed, at the start of a file that are searched for NUL. */
const BINARY_CHECK_BYTES = 65536;

/**
 * Returns the error for a file with a NUL byte in its first block. Text logs in UTF-8 have none,
 * so the file is an executable, an archive or a database rather than a log, or a log in UTF-16.
 * NOTE: a text log with a stray NUL in its first 64 KiB is reported as binary too.
 */
function binaryFileError(file: string): LogInputError {
  return new LogInputError(
    'BINARY_FILE',
    `"${file}" is a binary file, not a log: its first 64 KiB contain NUL bytes. huntpack ` +
      'reads text logs, plain or gzip: CEF, CommonSecurityLog and DeviceNetworkEvents exports ' +
      '(CSV or JSON), Zeek logs (TSV or JSON), Suricata eve.json, and other CSV or JSON files ' +
      'with --map. Pass the exported log files instead, and convert a log saved as UTF-16 to ' +
      'UTF-8 first.',
    { source: { file } },
  );
}

/** Compressed and archive formats that huntpack does not read, by their magic bytes. */
const UNREAD_COMPRESSIONS: ReadonlyArray<{ name: string; magic: Buffer; unpack: string }> = [
  { name: 'a zip archive', magic: Buffer.from('PK\x03\x04', 'latin1'), unpack: 'unzip' },
  // "BZh", the block size digit 1 to 9, and the block magic 0x314159265359 of bzip2's format,
  // so that a text log that starts with "BZh" is not taken for one.
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((level) => ({
    name: 'bzip2-compressed',
    magic: Buffer.from(`BZh${level}\x31\x41\x59\x26\x53\x59`, 'latin1'),
    unpack: 'bunzip2 -k',
  })),
  {
    name: 'xz-compressed',
    magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]),
    unpack: 'unxz -k',
  },
  {
    name: 'zstd-compressed',
    magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]),
    unpack: 'unzstd',
  },
  {
    name: 'a 7-Zip archive',
    magic: Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]),
    unpack: '7z x',
  },
];

/** Returns the error for a file that starts with the magic bytes of an unread compression. */
function compressedFileError(file: string, start: Buffer): LogInputError | undefined {
  const found = UNREAD_COMPRESSIONS.find(({ magic }) =>
    start.subarray(0, magic.length).equals(magic),
  );
  if (found === undefined) return undefined;
  return new LogInputError(
    'COMPRESSED_FILE',
    `"${file}" is ${found.name}, which huntpack does not read: it reads plain and gzip logs. ` +
      `Unpack it first, such as with "${found.unpack}", and pass the log files, or recompress ` +
      'them with gzip.',
    { source: { file } },
  );
}

/**
 * Opens a file as a stream of UTF-8 strings, decompressing gzip on the way. The file is opened
 * before the stream is made. So a file that cannot be opened rejects the promise, and no stream
 * is left to emit an 'error' event without a listener.
 *
 * @throws LogInputError when the file cannot be opened or its first bytes cannot be read
 *   (EACCES, ENOENT, EISDIR), when a file is zip, bzip2, xz, zstd or 7-Zip (COMPRESSED_FILE),
 *   or when a plain file has a NUL byte in its first 64 KiB (BINARY_FILE). Later read errors
 *   are emitted by the returned stream.
 */
export async function openLogText(file: string): Promise<Readable> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw describeReadError(file, error, 0);
  }
  let start: Buffer;
  try {
    start = await readStart(handle, BINARY_CHECK_BYTES);
  } catch (error) {
    await handle.close();
    throw describeReadError(file, error, 0);
  }
  const gzip = isGzipStart(start);
  const compressed = compressedFileError(file, start);
  if (compressed !== undefined) {
    await handle.close();
    throw compressed;
  }
  // The text of a gzip file is checked once decompressed, by readLogHead and readLineBatches.
  if (!gzip && start.includes(0)) {
    await handle.close();
    throw binaryFileError(file);
  }
  // The stream closes the handle when it ends or is destroyed.
  const raw = handle.createReadStream({ start: 0 });
  if (!gzip) {
    raw.setEncoding('utf8');
    return raw;
  }
  const gunzip = createGunzip();
  gunzip.setEncoding('utf8');
  // pipeline() forwards a read error of the file to the gunzip stream, which rethrows it.
  pipeline(raw, gunzip, () => undefined);
  return gunzip;
}

/** Turns a stream error into a FeedParseError that names the file and the line reached. */
export function describeReadError(file: string, error: unknown, line: number): LogInputError {
  if (error instanceof LogInputError) return error;
  const code = (error as { code?: string }).code;
  // Line 0 means that no line was read, so the error points at the file alone.
  const source = line > 0 ? { file, line } : { file };
  if (code === 'CR_LINE_ENDS') {
    return new LogInputError(
      'CR_LINE_ENDS',
      crLineEndsAdvice(`"${file}" from line ${line + 1} on`),
      { source: { file, line: line + 1 }, cause: error },
    );
  }
  // A line over the limit in a part that a worker thread read (file-pieces.ts).
  if (code === 'LINE_TOO_LONG') return lineTooLongError(file, line + 1, MAX_LINE_BYTES);
  if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR') {
    return new LogInputError(
      'TRUNCATED_GZIP',
      `Gzip file "${file}" is truncated or corrupt after line ${line}: the events read before that point are kept. Recompress or re-export the file to read the rest.`,
      { source, cause: error },
    );
  }
  return new LogInputError(
    'FILE_READ_FAILED',
    `Failed to read "${file}": ${readFailureReason(error)}`,
    { source, cause: error },
  );
}

/**
 * Returns a read error's system message without the ", open '<path>'" that Node appends, because
 * the message names the file already. Adds the next step for EACCES and EPERM.
 */
function readFailureReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = systemMessage(error);
  if (code === 'EACCES' || code === 'EPERM') {
    return `${reason}. Give the user that runs huntpack read access to the file, or hunt over a readable copy.`;
  }
  return reason;
}

/**
 * Returns about `maxChars` characters from the start of a file, for format detection, and more
 * when the first line that is not blank is longer: up to 64 times as many, so that the line is
 * whole.
 *
 * @throws LogInputError when the file cannot be opened, or is binary (BINARY_FILE) because its
 *   first 64 KiB, decompressed, contain a NUL. A read error after that ends the head early
 *   instead, and is reported when the file is read in full.
 */
export async function readLogHead(file: string, maxChars = 65536): Promise<string> {
  const text = await openLogText(file);
  let head = '';
  try {
    for await (const chunk of text) {
      head += chunk as string;
      if (head.length >= maxChars * LOG_HEAD_GROWTH) break;
      if (head.length >= maxChars && hasWholeFirstLine(head)) break;
    }
  } catch {
    // A broken or truncated file is reported when it is read in full; the head read so far
    // is enough to detect its format.
  } finally {
    text.destroy();
  }
  if (head.slice(0, BINARY_CHECK_BYTES).includes('\u0000')) throw binaryFileError(file);
  return head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
}

/** How many times `maxChars` {@link readLogHead} reads at most, to take in a long first line. */
export const LOG_HEAD_GROWTH = 64;

/** True when the first line of `text` that is not blank ends within it. */
export function hasWholeFirstLine(text: string): boolean {
  const start = text.search(/\S/);
  return start >= 0 && text.indexOf('\n', start) >= 0;
}

/** Consecutive lines of a file, starting at 1-based line `firstLine`. */
export interface LineBatch {
  firstLine: number;
  lines: string[];
}

/**
 * Yields a file's lines in batches, one batch per chunk read, with `\r\n` and a leading byte
 * order mark removed.
 *
 * @throws LogInputError when the file cannot be read or its gzip stream ends early. The lines
 *   before that point have been yielded, and the incomplete last line is attached to the error.
 */
/**
 * Returns the offset of the first carriage return in `chunk` that a line feed does not follow,
 * or -1. A CR at the very end is left out: its line feed may start the next chunk.
 */
function findLoneCr(chunk: string): number {
  for (
    let at = chunk.indexOf('\r');
    at >= 0 && at < chunk.length - 1;
    at = chunk.indexOf('\r', at + 1)
  ) {
    if (chunk.charCodeAt(at + 1) !== 10) return at;
  }
  return -1;
}

/** Counts the line feeds in the first `end` characters of `text`. */
function countLineBreaks(text: string, end: number): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0 && at < end; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/**
 * @param maxLineBytes bytes of UTF-8 in a line beyond which the file stops; see
 *   {@link MAX_LINE_BYTES}.
 * @throws LogInputError LINE_TOO_LONG at a longer line; the lines before it have been yielded.
 */
export async function* readLineBatches(
  file: string,
  maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<LineBatch> {
  const text = await openLogText(file);
  let pending = '';
  /** Chunks without a line break, kept apart so that a long line is joined only once. */
  const unfinished: string[] = [];
  /** UTF-8 bytes of `pending` and `unfinished`, counted once a chunk without a line break comes. */
  let unfinishedBytes = 0;
  let nextLine = 1;
  let loneCrLine = 0;
  let endedWithCr = false;
  try {
    for await (const read of text) {
      let chunk = read as string;
      if (nextLine === 1 && unfinished.length === 0 && chunk.includes('\u0000')) {
        throw binaryFileError(file);
      }
      // A file whose lines end with CR alone from some point on (two logs joined, say) would
      // read the rest as one line, so the lines are read up to there and the file is reported.
      // A CR that ended the chunk before is alone unless this chunk starts with its LF.
      if (endedWithCr && chunk.charCodeAt(0) !== 10) {
        loneCrLine = nextLine;
        break;
      }
      endedWithCr = chunk.charCodeAt(chunk.length - 1) === 13;
      const loneCr = findLoneCr(chunk);
      if (loneCr >= 0) {
        const cut = chunk.lastIndexOf('\n', loneCr);
        loneCrLine = nextLine + countLineBreaks(chunk, cut + 1);
        chunk = chunk.slice(0, cut + 1);
        if (chunk === '') break;
      }
      if (chunk.indexOf('\n') < 0) {
        if (unfinished.length === 0) unfinishedBytes = Buffer.byteLength(pending, 'utf8');
        unfinished.push(chunk);
        unfinishedBytes += Buffer.byteLength(chunk, 'utf8');
        if (unfinishedBytes > maxLineBytes) {
          // The line is not kept as a partial line: it is the fault.
          unfinished.length = 0;
          pending = '';
          throw lineTooLongError(file, nextLine, maxLineBytes);
        }
        continue;
      }
      if (unfinished.length > 0) {
        pending += unfinished.join('');
        unfinished.length = 0;
      }
      const data = pending + chunk;
      const lines = data.split('\n');
      pending = lines.pop() ?? '';
      if (lines.length === 0) continue;
      if (nextLine === 1) lines[0] = stripBom(lines[0] ?? '');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] ?? '';
        if (line.charCodeAt(line.length - 1) === 13) lines[i] = line.slice(0, -1);
      }
      // Only the first line can span chunks; every other line lies within this chunk.
      if (lineTooLong(lines[0]!, maxLineBytes)) {
        pending = '';
        throw lineTooLongError(file, nextLine, maxLineBytes);
      }
      yield { firstLine: nextLine, lines };
      nextLine += lines.length;
      if (loneCrLine > 0) break;
    }
  } catch (error) {
    pending += unfinished.join('');
    const failure = describeReadError(file, error, nextLine - 1);
    if (pending !== '') failure.partialLine = { line: nextLine, text: pending };
    throw failure;
  }
  if (loneCrLine > 0) {
    text.destroy();
    throw new LogInputError(
      'CR_LINE_ENDS',
      crLineEndsAdvice(`"${file}" from line ${loneCrLine} on`),
      {
        source: { file, line: loneCrLine },
      },
    );
  }
  pending += unfinished.join('');
  if (pending !== '') {
    if (nextLine === 1) pending = stripBom(pending);
    if (pending.endsWith('\r')) pending = pending.slice(0, -1);
    if (lineTooLong(pending, maxLineBytes)) throw lineTooLongError(file, nextLine, maxLineBytes);
    yield { firstLine: nextLine, lines: [pending] };
  }
}

function lineTooLongError(file: string, line: number, maxLineBytes: number): LogInputError {
  return new LogInputError(
    'LINE_TOO_LONG',
    `Line ${line} of "${file}" is longer than ${lineLimitText(maxLineBytes)}, ` +
      'which no log line needs, so the file is read no further; the events before it are kept. ' +
      'Check the file: a corrupt export or a decompression bomb holds such a line.',
    { source: { file, line } },
  );
}

function stripBom(line: string): string {
  return line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
}

/** Names of one file that the log inputs gave more than once, through symlinks or hard links. */
export interface SameFileNames {
  /** The name the file was read under: the first one the inputs gave. */
  file: string;
  /** Every name of the file that the inputs gave, `file` first and the rest sorted. */
  names: string[];
}

/** The files of a folder or glob walk, with the dangling links and hidden entries it left out. */
interface WalkResult {
  files: string[];
  /** Links, found by the walk, whose target is missing or is a loop of links. */
  danglingLinks: string[];
  /** Hidden files and folders (name starting with a dot) below a folder input, not walked. */
  hiddenEntries: string[];
  /** Folders that the walk reached but could not list, with the error of readdir(). */
  unreadableFolders: Map<string, unknown>;
  /** Symlinks to a folder that contains them, which the walk did not follow. */
  loopLinks: string[];
}

/** Record of the entries that a walk would drop in silence, filled by {@link recordingFs}. */
interface WalkRecord {
  danglingLinks: Set<string>;
  unreadableFolders: Map<string, unknown>;
  loopLinks: string[];
  /** Hidden entries, recorded only for a folder input. */
  hidden?: string[];
}

/**
 * Expands paths into files: a folder gives every file below it, a glob pattern (tinyglobby
 * syntax) gives its matches. Paths that match nothing and links whose target is missing are
 * returned as PATH_NOT_FOUND issues. A file reached under several names (a symlink, a hard
 * link, `./a.log` beside `a.log`) is returned once, under its first name, and its names are
 * listed in `sameFiles`. Hidden entries below a folder are skipped and listed in
 * `hiddenEntries`, a hidden folder once with a trailing slash. A folder that the walk cannot
 * list, such as one without read permission, is returned once as a FOLDER_READ_FAILED issue.
 * A symlink to a folder that contains it is not followed, and is listed in `loopLinks`.
 */
export async function expandLogPaths(paths: string[]): Promise<{
  files: string[];
  issues: HuntpackIssue[];
  sameFiles: SameFileNames[];
  hiddenEntries: string[];
  loopLinks: string[];
}> {
  const files: string[] = [];
  const issues: HuntpackIssue[] = [];
  const hiddenEntries: string[] = [];
  const loopLinks: string[] = [];
  const unreadableFolders = new Set<string>();
  for (const path of paths) {
    const found = await expandOnePath(path);
    hiddenEntries.push(...found.hiddenEntries);
    loopLinks.push(...found.loopLinks);
    for (const link of found.danglingLinks) issues.push(await danglingLinkIssue(link, path));
    for (const [folder, error] of found.unreadableFolders) {
      // Two inputs can reach one folder, such as a folder and a glob below it.
      if (!unreadableFolders.has(folder)) issues.push(unreadableFolderIssue(folder, path, error));
      unreadableFolders.add(folder);
    }
    const failed = found.danglingLinks.length + found.unreadableFolders.size;
    if (found.files.length === 0 && failed === 0) {
      issues.push(await pathNotFoundIssue(path, found.hiddenEntries.length));
    }
    for (const file of found.files) files.push(file);
  }
  return {
    ...(await dropSameFiles([...new Set(files)])),
    issues,
    hiddenEntries: [...new Set(hiddenEntries)],
    loopLinks: [...new Set(loopLinks)],
  };
}

async function pathNotFoundIssue(path: string, hidden: number): Promise<HuntpackIssue> {
  const folder = await stat(path).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  const hiddenNote =
    hidden > 0
      ? ` It contains only hidden entries (names that start with a dot), which a folder walk ` +
        'skips: name them as inputs to hunt them.'
      : '';
  return {
    code: 'PATH_NOT_FOUND',
    severity: 'error',
    message: folder
      ? `No log file found in the folder "${path}": neither it nor a folder below it holds a file.${hiddenNote}`
      : `No log file found at "${path}": expected a file, a folder or a glob pattern.`,
    source: { file: path },
  };
}

async function danglingLinkIssue(link: string, input: string): Promise<HuntpackIssue> {
  const target = await readlink(link).catch(() => undefined);
  const points = target === undefined ? '' : ` points to "${target}", which`;
  return {
    code: 'PATH_NOT_FOUND',
    severity: 'error',
    message:
      `The symlink "${link}", found under "${input}",${points} does not exist or is a loop of ` +
      'links, so it was not read. Mount or restore its target, or remove the link.',
    source: { file: link },
  };
}

function unreadableFolderIssue(folder: string, input: string, error: unknown): HuntpackIssue {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const advice =
    code === 'EACCES' || code === 'EPERM'
      ? ' Give the user that runs huntpack read and execute access to it, or hunt over a readable copy.'
      : '';
  const under = folder === resolve(input) ? '' : `, found under "${input}"`;
  return {
    code: 'FOLDER_READ_FAILED',
    severity: 'error',
    message:
      `Failed to read the folder "${folder}"${under}: ${systemMessage(error)}. ` +
      `The files in it were not hunted.${advice}`,
    source: { file: folder },
  };
}

/**
 * Keeps the first name of each file, telling files apart by device and inode as stat() reports
 * them after following symlinks. A name that stat() fails on is kept, so that reading it reports
 * the error.
 */
async function dropSameFiles(
  names: string[],
): Promise<{ files: string[]; sameFiles: SameFileNames[] }> {
  const namesById = new Map<string, string[]>();
  const files: string[] = [];
  for (const name of names) {
    const info = await stat(name, { bigint: true }).catch(() => undefined);
    const id = info === undefined ? undefined : `${info.dev}:${info.ino}`;
    const known = id === undefined ? undefined : namesById.get(id);
    if (known) {
      known.push(name);
      continue;
    }
    if (id !== undefined) namesById.set(id, [name]);
    files.push(name);
  }
  const sameFiles = [...namesById.values()]
    .filter((same) => same.length > 1)
    .map(([file, ...others]) => ({ file: file!, names: [file!, ...others.sort()] }));
  return { files, sameFiles };
}

/**
 * Returns file system functions for tinyglobby that record what its walk would drop in silence.
 * tinyglobby drops a link whose realpath() fails, so realpath() and stat() fall back to the
 * link itself, which the walk then matches as a file, and the link is recorded as dangling.
 * realpath() fails a link to a folder that contains it, which the walk then drops, and records
 * it in `loopLinks`. readdir() records the folders it fails on, which the walk skips because it
 * suppresses errors, and with `hidden`, the entries whose name starts with a dot.
 */
function recordingFs(record: WalkRecord): FileSystemAdapter {
  const { danglingLinks, unreadableFolders, loopLinks, hidden } = record;
  const isMissing = (error: NodeJS.ErrnoException | null): boolean =>
    error?.code === 'ENOENT' || error?.code === 'ELOOP';
  return {
    realpath: ((path: string, callback: (error: Error | null, resolved: string) => void) => {
      fs.realpath(path, (error, resolved) => {
        if (isMissing(error)) {
          danglingLinks.add(path);
          return callback(null, path);
        }
        if (error) return callback(error, resolved);
        containsLink(resolved, path).then(
          (loop) => {
            if (!loop) return callback(null, resolved);
            loopLinks.push(path);
            callback(new Error(`"${path}" is a symlink to a folder that contains it`), resolved);
          },
          () => callback(null, resolved),
        );
      });
    }) as FileSystemAdapter['realpath'],
    stat: ((path: string, callback: (error: Error | null, stats: fs.Stats) => void) => {
      fs.stat(path, (error, stats) => {
        if (!isMissing(error) || !danglingLinks.has(path)) return callback(error, stats);
        fs.lstat(path, callback);
      });
    }) as FileSystemAdapter['stat'],
    readdir: ((
      path: string,
      options: { withFileTypes: true },
      callback: (error: Error | null, entries: fs.Dirent[]) => void,
    ) => {
      fs.readdir(path, options, (error, entries) => {
        // fdir passes folder paths with a trailing separator, which the message leaves out.
        if (error) {
          const folder = path.length > 1 ? path.replace(/[\\/]+$/, '') : path;
          unreadableFolders.set(folder, error);
        }
        for (const entry of entries ?? []) {
          if (hidden && entry.name.startsWith('.')) {
            hidden.push(join(path, entry.name) + (entry.isDirectory() ? sep : ''));
          }
        }
        callback(error, entries);
      });
    }) as FileSystemAdapter['readdir'],
  };
}

/**
 * Returns true when `target`, the resolved path of the symlink `link`, is a folder that contains
 * the link, so that following it would walk the same folders again. Folders are compared by
 * device and inode, and the link's parent folders by the path that leads to it, as `find -L`
 * detects a file system loop.
 */
async function containsLink(target: string, link: string): Promise<boolean> {
  const targetInfo = await stat(target, { bigint: true });
  if (!targetInfo.isDirectory()) return false;
  let folder = dirname(resolve(link));
  for (;;) {
    const info = await stat(folder, { bigint: true });
    if (info.dev === targetInfo.dev && info.ino === targetInfo.ino) return true;
    const parent = dirname(folder);
    if (parent === folder) return false;
    folder = parent;
  }
}

async function expandOnePath(path: string): Promise<WalkResult> {
  const info = await stat(path).catch(() => undefined);
  const record: WalkRecord = {
    danglingLinks: new Set(),
    unreadableFolders: new Map(),
    loopLinks: [],
  };
  if (info?.isFile()) return splitDangling([path], record);
  if (info?.isDirectory()) {
    // Hidden entries are skipped because in a log folder they are rarely logs: version control
    // folders, editor swap files and the temporary copies that rsync and downloads write.
    record.hidden = [];
    const found = await glob('**/*', {
      cwd: path,
      onlyFiles: true,
      dot: false,
      fs: recordingFs(record),
    });
    return splitDangling(
      found.sort().map((relative) => join(path, relative)),
      record,
    );
  }
  if (!isDynamicPattern(path)) return splitDangling([], record);
  const absolute = isAbsolute(path);
  const found = await glob(path, {
    onlyFiles: true,
    expandDirectories: false,
    absolute,
    fs: recordingFs(record),
  });
  return splitDangling(found.sort(), record);
}

/** Splits the matches of a walk into files and the dangling links among them. */
function splitDangling(found: string[], record: WalkRecord): WalkResult {
  // The walk names a link by its absolute path, and a match may be relative to the cwd.
  const isDangling = (name: string) => record.danglingLinks.has(resolve(name));
  return {
    files: found.filter((name) => !isDangling(name)),
    danglingLinks: found.filter(isDangling),
    hiddenEntries: (record.hidden ?? []).sort(),
    loopLinks: record.loopLinks.sort(),
    unreadableFolders: new Map([...record.unreadableFolders].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}
