/**
 * Checks KQL files for the `huntpack check` command: a `.kql` file is one query, and a Markdown
 * file is checked block by block (each ```kql or ```kusto fence). Any other file, such as a hunt
 * report saved as `.txt`, is one query when it parses as one, else its query blocks are checked. Every diagnostic carries its
 * place in the file and the source line, so the CLI can print it with a caret under the spot.
 * Unless a platform is given, each query is checked against the platform that its
 * `// Platform:` header comment names, as in the queries huntpack writes.
 */
import { SENTINEL_QUERY_LIMIT } from '../backends/kql/kql.backend.js';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { HuntpackIssue, SourceLocation } from '../errors.js';
import { getTableSchema, type Platform, type TableSchema } from '../pipeline/schemas.js';
import { checkKql, findLineStarts, offsetToLineColumn, type KqlCheckOptions } from './kusto.js';
import { findKqlBlocks as findReportBlocks, makeBlock } from './lint/kql-blocks.js';
import { scanKql } from './lint/kql-scan.js';
import { findWhereTypeMismatches } from './lint/where-types.js';
import { findKqlBlocks } from './markdown-blocks.js';
import { findLooseHasAdvice } from './has-advice.js';
import { binaryFileMessage, decodeText } from './decode-text.js';
import { readPlatformHeader, unknownPlatformMessage } from './platform-header.js';
import { reviewUnknownNames } from './unknown-names.js';

export interface FileCheckOptions {
  /**
   * Platform whose table schemas every query may use. Default: the platform named in each
   * query's `// Platform:` header comment, or `sentinel` for a query without one.
   */
  platform?: Platform;
  /** Whether to run the parser's analyzers as well (see `checkKql`). Default true. */
  analyzers?: boolean;
}

/** A diagnostic placed in a file, with 1-based line and column counted in the whole file. */
export interface FileDiagnostic extends HuntpackIssue {
  source: SourceLocation & { file: string };
  /** The file's line at `source.line`, without its line break. Absent when the file could not be read. */
  sourceLine?: string;
  /** Characters to underline from `source.column`. Zero marks a spot between characters. */
  length: number;
}

export interface FileCheckResult {
  /** The path as given. */
  file: string;
  /**
   * Queries checked: 1 for a KQL file, the number of KQL blocks for a Markdown file. A blank
   * file or block (white space and comments only) is not counted and gets an EMPTY_QUERY warning.
   */
  queries: number;
  /** Platform whose schemas each query was checked against, in file order. */
  platforms: Platform[];
  diagnostics: FileDiagnostic[];
}

const MARKDOWN_EXTENSIONS = new Set(['.md', '.markdown']);
const KQL_EXTENSIONS = new Set(['.kql', '.csl', '.kusto']);

/**
 * Reads and checks each file, in the order given. A file that cannot be read gets one error
 * diagnostic (`FILE_NOT_FOUND`, `NOT_A_FILE`, `FILE_READ_FAILED` or `BINARY_FILE`) and the others
 * are still checked. The result never rejects for a bad file.
 */
export async function checkKqlFiles(
  paths: string[],
  options: FileCheckOptions = {},
): Promise<FileCheckResult[]> {
  // One file at a time, because opening thousands at once fails with EMFILE under a low open
  // file limit (ulimit -n), and the parser's work is synchronous anyway.
  const results: FileCheckResult[] = [];
  for (const file of paths) {
    const content = await readText(file);
    if (typeof content === 'string') results.push(checkText(file, content, options));
    else results.push({ file, queries: 0, platforms: [], diagnostics: [content] });
  }
  return results;
}

/** Extensions of the files that `findFilesToCheck` picks from a folder. */
const FOLDER_EXTENSIONS = new Set([...KQL_EXTENSIONS, '.md']);

/**
 * Lists the .kql, .csl, .kusto and .md files under a folder and its subfolders, sorted by path so
 * the output does not depend on the file system's order. A symbolic link to a file counts, but
 * links to folders are not followed. Throws when the folder cannot be read.
 */
export async function findFilesToCheck(folder: string): Promise<string[]> {
  const names = await readdir(folder, { recursive: true });
  const candidates = names
    .filter((name) => FOLDER_EXTENSIONS.has(extname(name).toLowerCase()))
    .sort()
    .map((name) => join(folder, name));
  const files: string[] = [];
  for (const path of candidates) {
    // stat follows symbolic links, and drops a folder whose name ends in .kql or .md.
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile()) files.push(path);
  }
  return files;
}

/** Builds the result for a folder in which `findFilesToCheck` found no file. */
export function noFilesToCheckResult(folder: string): FileCheckResult {
  const message = `${folder} contains no .kql, .csl, .kusto or .md file, so there is nothing to check. Check the path, or pass the files themselves.`;
  const diagnostic: FileDiagnostic = {
    code: 'NO_FILES_TO_CHECK',
    severity: 'error',
    message,
    source: { file: folder },
    length: 0,
  };
  return { file: folder, queries: 0, platforms: [], diagnostics: [diagnostic] };
}

/** Builds the result for a folder that `findFilesToCheck` failed to read. */
export function unreadableFolderResult(folder: string, error: unknown): FileCheckResult {
  return { file: folder, queries: 0, platforms: [], diagnostics: [readFailure(folder, error)] };
}

/** Checks text already read from `file`, choosing KQL or Markdown by the file extension. */
export function checkText(
  file: string,
  text: string,
  options: FileCheckOptions = {},
): FileCheckResult {
  const content = text.replace(/^\uFEFF/, '');
  const lineStarts = findLineStarts(content);
  const context: CheckContext = {
    file,
    options,
    platforms: [],
    place: (item) => placeDiagnostic(file, content, lineStarts, item),
    lineStart: (line) => lineStarts[line - 1] ?? 0,
  };
  const extension = extname(file).toLowerCase();
  if (MARKDOWN_EXTENSIONS.has(extension)) return checkMarkdown(content, context);
  if (KQL_EXTENSIONS.has(extension)) return checkQueryFile(content, context);
  return checkOtherFile(content, context);
}

interface PlainDiagnostic {
  code: string;
  severity: HuntpackIssue['severity'];
  message: string;
  /** Offset in the file content. */
  start: number;
  length: number;
}

interface CheckContext {
  file: string;
  options: FileCheckOptions;
  /** Platform of each query checked so far. */
  platforms: Platform[];
  place: (item: PlainDiagnostic) => FileDiagnostic;
  /** Returns the offset of a 1-based line. */
  lineStart: (line: number) => number;
}

/** Checks a whole file as one query. */
function checkQueryFile(content: string, context: CheckContext): FileCheckResult {
  if (isBlankQuery(content)) {
    const message = `${context.file} contains no query, only white space and comments.`;
    const diagnostic = context.place({ ...EMPTY_QUERY, message, start: 0, length: 0 });
    return { file: context.file, queries: 0, platforms: [], diagnostics: [diagnostic] };
  }
  const diagnostics = checkQuery(content, 0, context);
  const split = blankLineHint(content, diagnostics, context);
  if (split !== undefined) {
    diagnostics.push({ ...lintHint(context.file, split), code: 'BLANK_LINE_SPLIT' });
  }
  return { file: context.file, queries: 1, platforms: context.platforms, diagnostics };
}

/**
 * Returns a hint for a file with a blank line between lines of query text. The Sentinel and
 * Defender editors end a query at a blank line. With errors, such a file is probably several
 * queries, which this check reads as one. Without them, the editor runs only the part under the
 * cursor, such as a query without the `let` statements above the blank line.
 */
function blankLineHint(
  content: string,
  diagnostics: readonly FileDiagnostic[],
  context: CheckContext,
): string | undefined {
  const lines = content.split(/\r\n|\n|\r/);
  const isCode = (line: string): boolean => !/^\s*(\/\/.*)?$/.test(line);
  const firstCode = lines.findIndex(isCode);
  if (firstCode < 0) return undefined;
  const blank = lines.findIndex(
    (line, index) => index > firstCode && line.trim() === '' && lines.slice(index).some(isCode),
  );
  if (blank < 0) return undefined;
  const next = lines.findIndex((line, index) => index > blank && isCode(line));
  const where = `${context.file} has a blank line at line ${blank + 1}, and the Sentinel and Defender editors end a query there`;
  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) {
    return `${where}, so line ${next + 1} starts another query. This check reads the file as one query: put each query in its own file, or remove the blank line.`;
  }
  return `${where}: with the cursor on line ${next + 1}, the editor runs that part without the lines above the blank line. Remove the blank line, or select the whole query before you run it.`;
}

/**
 * Checks a file that is neither KQL nor Markdown. One that parses as one query stays one query.
 * Otherwise it is most likely a hunt report in plain text, so its query blocks are checked one
 * by one. They are found as `huntpack lint` finds them: fenced blocks, and runs of lines that
 * start at a `//` comment, a `let` or a table name. An info diagnostic then names `huntpack lint`.
 */
function checkOtherFile(content: string, context: CheckContext): FileCheckResult {
  const whole = checkQueryFile(content, context);
  if (!whole.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) return whole;

  const blocks = findReportBlocks(content);
  if (blocks.length === 0) {
    const message = `${context.file} does not parse as one query and has no query block. If it is a hunt report, check it with: huntpack lint ${context.file}`;
    return { ...whole, diagnostics: [...whole.diagnostics, lintHint(context.file, message)] };
  }

  const blockContext: CheckContext = { ...context, platforms: [] };
  const lineOffsets = findReportLineOffsets(content);
  const diagnostics: FileDiagnostic[] = [];
  for (const block of blocks) {
    if (isBlankQuery(block.text)) continue;
    // The block's lines were joined with \n, so offsets are moved line by line into the file.
    const blockLineStarts = findReportLineOffsets(block.text);
    const toFileOffset = (offset: number): number => {
      const { line, column } = offsetToLineColumn(blockLineStarts, offset);
      return (lineOffsets[block.startLine + line - 2] ?? 0) + column - 1;
    };
    const place = (item: PlainDiagnostic): FileDiagnostic =>
      context.place({ ...item, start: toFileOffset(item.start) });
    for (const diagnostic of checkQuery(block.text, 0, { ...blockContext, place })) {
      diagnostics.push(diagnostic);
    }
  }
  const queries = blockContext.platforms.length;
  const checked = queries === 1 ? 'query block was' : `${queries} query blocks were`;
  const message = `${context.file} is not a .kql, .csl, .kusto or Markdown file and does not parse as one query, so its ${checked} checked one by one. To check it as a hunt report, run: huntpack lint ${context.file}`;
  diagnostics.push(lintHint(context.file, message));
  return { file: context.file, queries, platforms: blockContext.platforms, diagnostics };
}

/** Builds an info diagnostic without a source line, so the CLI prints it as one line. */
function lintHint(file: string, message: string): FileDiagnostic {
  return { code: 'HUNT_REPORT_HINT', severity: 'info', message, source: { file }, length: 0 };
}

/** Returns the offset of each line as `huntpack lint` splits lines: at LF or CRLF only. */
function findReportLineOffsets(content: string): number[] {
  const offsets = [0];
  for (const match of content.matchAll(/\r?\n/g)) offsets.push(match.index + match[0].length);
  return offsets;
}

/** Checks each KQL code block of a Markdown file, placing diagnostics in the whole file. */
function checkMarkdown(content: string, context: CheckContext): FileCheckResult {
  const blocks = findKqlBlocks(content);
  const diagnostics: FileDiagnostic[] = [];
  if (blocks.length === 0) diagnostics.push(noBlocksDiagnostic(content, context));

  for (const block of blocks) {
    const fence = { start: context.lineStart(block.fenceLine), length: 3 };
    if (!block.closed) {
      const message = `The code block opened on line ${block.fenceLine} has no closing fence, so it runs to the end of the file.`;
      diagnostics.push(
        context.place({ code: 'UNCLOSED_FENCE', severity: 'warning', message, ...fence }),
      );
    }
    if (isBlankQuery(block.text)) {
      const message = `The code block opened on line ${block.fenceLine} contains no query.`;
      diagnostics.push(context.place({ ...EMPTY_QUERY, message, ...fence }));
      continue;
    }
    // A loop, because push(...list) overflows the call stack at roughly 100,000 elements.
    for (const diagnostic of checkQuery(block.text, block.start, context)) {
      diagnostics.push(diagnostic);
    }
  }
  return {
    file: context.file,
    queries: context.platforms.length,
    platforms: context.platforms,
    diagnostics,
  };
}

const EMPTY_QUERY = { code: 'EMPTY_QUERY', severity: 'warning' } as const;

/**
 * A Hunts heading whose section starts with "0 queries", as in a huntpack report whose
 * indicators the allowlists all set aside. Group 1 is the "0 queries" text.
 */
export const NO_HUNTS_SECTION =
  /^ {0,3}#{1,6}[ \t]+Hunts[ \t]*(?:\r\n|\n|\r)(?:[ \t]*(?:\r\n|\n|\r))*[ \t]*(0 queries)\b/m;

/**
 * Builds the diagnostic for a Markdown file without KQL blocks: an info line when the file
 * declares that it has no hunts, and a warning otherwise.
 */
function noBlocksDiagnostic(content: string, context: CheckContext): FileDiagnostic {
  const noHunts = NO_HUNTS_SECTION.exec(content);
  const declaration = noHunts?.[1];
  if (noHunts && declaration) {
    const message = `The report declares no hunts ("${declaration}" in its Hunts section), so it has no query to check.`;
    const start = noHunts.index + noHunts[0].length - declaration.length;
    return context.place({
      code: 'NO_HUNTS',
      severity: 'info',
      message,
      start,
      length: declaration.length,
    });
  }
  const message = `${context.file} has no \`\`\`kql or \`\`\`kusto code block to check.`;
  return context.place({
    code: 'NO_KQL_BLOCKS',
    severity: 'warning',
    message,
    start: 0,
    length: 0,
  });
}

/**
 * Runs `checkKql` on a query that begins at offset `start` of the file, against the platform
 * given in the options, else the one its header comment names, else Sentinel.
 */
function checkQuery(query: string, start: number, context: CheckContext): FileDiagnostic[] {
  const diagnostics: FileDiagnostic[] = [];
  let platform = context.options.platform;
  if (platform === undefined) {
    const header = readPlatformHeader(query);
    platform = header?.platform;
    if (header && platform === undefined) {
      diagnostics.push(
        context.place({
          code: 'UNKNOWN_PLATFORM',
          severity: 'warning',
          message: unknownPlatformMessage(header.value),
          start: start + header.offset,
          length: header.value.length,
        }),
      );
    }
  }
  platform ??= 'sentinel';
  context.platforms.push(platform);

  const options: KqlCheckOptions = { platform, analyzers: context.options.analyzers };
  const kusto = reviewUnknownNames(query, checkKql(query, options), platform);
  const looseAdvice = findLooseHasAdvice(query, kusto, context.file);
  for (const item of kusto) {
    diagnostics.push(
      context.place({
        code: item.code,
        severity: item.severity,
        message: item.message,
        start: start + item.start,
        length: item.end - item.start,
      }),
    );
    // The note follows the advice it is about, under the same operator.
    const advice = looseAdvice.find((note) => note.diagnostic === item);
    if (advice) {
      diagnostics.push(
        context.place({
          code: 'LOOSE_HAS_ADVICE',
          severity: 'info',
          message: advice.message,
          start: start + item.start,
          length: item.end - item.start,
        }),
      );
    }
  }
  if (platform === 'sentinel' && query.trim().length > SENTINEL_QUERY_LIMIT) {
    diagnostics.push(
      context.place({
        code: 'QUERY_TOO_LONG',
        severity: 'warning',
        message:
          `The query has ${query.trim().length.toLocaleString('en-US')} characters, more than ` +
          `the ${SENTINEL_QUERY_LIMIT.toLocaleString('en-US')} of a Sentinel analytics rule: it ` +
          'runs in Logs, but cannot be saved as a rule. Move a long list into a watchlist or ' +
          'split the query.',
        start,
        length: 0,
      }),
    );
  }
  const schema = readSchemaOfQuery(query, platform);
  if (schema) {
    for (const mismatch of findWhereTypeMismatches(scanKql(query), schema)) {
      diagnostics.push(
        context.place({
          code: 'LITERAL_TYPE_MISMATCH',
          severity: 'warning',
          message: `In the where condition ${mismatch.condition}: ${mismatch.message}`,
          start: start + mismatch.start,
          length: mismatch.condition.length,
        }),
      );
    }
  }
  return diagnostics;
}

/**
 * Returns the schema of the one table with a schema that the query reads, or undefined when it
 * reads none or several, because a `where` clause may then read another table.
 */
function readSchemaOfQuery(query: string, platform: Platform): TableSchema | undefined {
  const { tables } = makeBlock([query], 1);
  if (tables.length !== 1 || tables[0] === undefined) return undefined;
  try {
    return getTableSchema(tables[0], platform);
  } catch {
    // A Sentinel-only table in a Defender query: the Kusto check already reports it.
    return undefined;
  }
}

/** True when the text has no tokens: only white space and `//` comment lines. */
/** Tells whether a query text holds only white space and `//` comments. */
export function isBlankQuery(text: string): boolean {
  return text.split(/\r\n|\n|\r/).every((line) => /^\s*(\/\/.*)?$/.test(line));
}

function placeDiagnostic(
  file: string,
  content: string,
  lineStarts: number[],
  item: PlainDiagnostic,
): FileDiagnostic {
  const { line, column } = offsetToLineColumn(lineStarts, item.start);
  const lineStart = lineStarts[line - 1] ?? 0;
  const lineEnd = lineStarts[line] ?? content.length;
  const sourceLine = content.slice(lineStart, lineEnd).replace(/(\r\n|\n|\r)$/, '');
  return {
    code: item.code,
    severity: item.severity,
    message: item.message,
    source: { file, line, column },
    sourceLine,
    length: item.length,
  };
}

/**
 * Reads a file as text (see `decodeText`), returning a diagnostic instead of throwing when it
 * cannot be read or is binary.
 */
async function readText(path: string): Promise<string | FileDiagnostic> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return readFailure(path, error);
  }
  const decoded = decodeText(bytes);
  if ('text' in decoded) return decoded.text;
  const message = binaryFileMessage(path, decoded.binary);
  return { code: 'BINARY_FILE', severity: 'error', message, source: { file: path }, length: 0 };
}

function readFailure(file: string, error: unknown): FileDiagnostic {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  let code = 'FILE_READ_FAILED';
  let message = `Failed to read ${file}: ${reason}`;
  if (errno === 'ENOENT') {
    code = 'FILE_NOT_FOUND';
    message = `File not found: ${file}. Check the path.`;
  } else if (errno === 'EISDIR') {
    code = 'NOT_A_FILE';
    message = `${file} is a directory: pass the .kql or .md files inside it.`;
  }
  return { code, severity: 'error', message, source: { file }, length: 0 };
}
