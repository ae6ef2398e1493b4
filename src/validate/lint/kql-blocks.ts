/**
 * Finds the KQL queries in a hand-written hunt report: fenced code blocks, and runs of lines
 * that start at a `//` comment, a `let` statement or a table name and continue through the
 * `| operator` lines of the query, with the comment, bracket and continuation lines between them.
 */
import { DEFENDER_TABLES, SENTINEL_TABLES } from '../../pipeline/schemas.js';
import { CharKind, scanKql } from './kql-scan.js';

export interface KqlBlock {
  /** 1-based line of the block's first line. */
  startLine: number;
  /** 1-based line of the block's last line. */
  endLine: number;
  text: string;
  /** Known tables the query reads, in first-seen order. */
  tables: string[];
}

const KNOWN_TABLES: readonly string[] = [...new Set([...SENTINEL_TABLES, ...DEFENDER_TABLES])];
const TABLE_LINE = /^[A-Za-z_][A-Za-z0-9_]*\s*(\|.*)?$/;
const FENCE = /^\s*(```|~~~)\s*([A-Za-z0-9_-]*)\s*$/;

type LineRole = 'comment' | 'let' | 'table' | 'pipe' | 'other';

/**
 * A `|` followed by a Kusto tabular operator, which starts an operator line of a query. A process
 * tree (`|- wscript.exe`), a directory tree (`|-- remcos.exe`) or a Markdown table row
 * (`| Type | Value`) starts with `|` too, but not with an operator.
 */
const OPERATOR_LINE =
  /^\|\s*(?:as|consume|count|distinct|evaluate|extend|externaldata|facet|filter|find|fork|getschema|invoke|join|limit|lookup|make-series|mv-apply|mv-expand|order|parse(?:-where|-kv)?|partition|project(?:-away|-keep|-rename|-reorder)?|range|reduce|render|sample(?:-distinct)?|scan|search|serialize|sort|summarize|take|top(?:-hitters|-nested)?|union|where)\b/i;

/** Tells whether a line, without its indent, is a `| operator` line of a query. */
export function isOperatorLine(line: string): boolean {
  return OPERATOR_LINE.test(line.trim());
}

/**
 * Splits a report into lines, with the `>` markers of block quotes replaced by spaces, so a
 * fence or query inside a quote is found and its columns still match the file.
 */
function splitUnquoted(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) =>
      line.replace(/^(?: {0,3}>[ \t]?)+/, (markers) => markers.replace(/[^\t]/g, ' ')),
    );
}

/** Returns the KQL blocks of a report, in order. Blocks inside block quotes are found too. */
export function findKqlBlocks(text: string): KqlBlock[] {
  const lines = splitUnquoted(text);
  const blocks: KqlBlock[] = [];
  let index = 0;
  while (index < lines.length) {
    const fence = FENCE.exec(lines[index] ?? '');
    if (fence) {
      index = readFence(lines, index, fence[1] ?? '```', fence[2] ?? '', blocks);
      continue;
    }
    index = readBareBlock(lines, index, blocks);
  }
  return blocks;
}

/**
 * Returns the 0-based indexes of the lines of every fenced code block, whatever its language,
 * fences included. Fences are found as `findKqlBlocks` finds them.
 */
export function findFencedLines(text: string): Set<number> {
  const lines = splitUnquoted(text);
  const fenced = new Set<number>();
  let index = 0;
  while (index < lines.length) {
    const fence = FENCE.exec(lines[index] ?? '');
    if (!fence) {
      index += 1;
      continue;
    }
    const end = closingFence(lines, index, fence[1] ?? '```');
    for (let line = index; line <= Math.min(end, lines.length - 1); line++) fenced.add(line);
    index = end + 1;
  }
  return fenced;
}

/** Reads a fenced block; keeps it when it is labelled kql or kusto, or unlabelled and looks like KQL. */
function readFence(
  lines: string[],
  start: number,
  marker: string,
  language: string,
  blocks: KqlBlock[],
): number {
  const end = closingFence(lines, start, marker);
  const body = lines.slice(start + 1, end);
  const label = language.toLowerCase();
  const looksLikeKql = body.some(isOperatorLine);
  if (label === 'kql' || label === 'kusto' || (label === '' && looksLikeKql)) {
    blocks.push(makeBlock(body, start + 2));
  }
  return end + 1;
}

/** Returns the index of the line that closes the fence opened at `start`, or the line count. */
function closingFence(lines: string[], start: number, marker: string): number {
  let end = start + 1;
  while (end < lines.length && !(lines[end] ?? '').trim().startsWith(marker)) end += 1;
  return end;
}

/**
 * Reads a block that is not fenced, starting at `start`. A block ends at the first line that
 * cannot be part of a query, or where a new query starts after the previous one's pipeline.
 * Inside a query, a line also continues it while a bracket is open, after a line that ends
 * with an operator such as `|` or `and`, and when it starts with `and`, `or` or a closing
 * bracket. A `//` comment line continues it when the query goes on below the comment.
 */
function readBareBlock(lines: string[], start: number, blocks: KqlBlock[]): number {
  const first = roleOf(lines, start);
  if (first === 'other' || first === 'pipe') return start + 1;
  let end = start;
  let sawPipeline = false;
  // Brackets open at the end of the previous line, and whether that line ends with an operator.
  let depth = 0;
  let open = false;
  while (end < lines.length) {
    const line = lines[end] ?? '';
    if (FENCE.test(line)) break;
    const role = roleOf(lines, end);
    const inside = end > start && (depth > 0 || open);
    if (role === 'other' || (role === 'comment' && sawPipeline)) {
      if (end === start || line.trim() === '') break;
      const continues =
        inside ||
        (role === 'other' && continuesLine(line)) ||
        (role === 'comment' && queryGoesOn(lines, end));
      if (!continues) break;
    } else {
      const startsQuery = role === 'comment' || role === 'let' || role === 'table';
      if (sawPipeline && startsQuery && !inside) break;
    }
    const code = codeOf(line);
    if (role === 'pipe' || (role === 'table' && end > start) || (end > start && code.includes('|')))
      sawPipeline = true;
    depth = Math.max(0, depth + bracketBalance(code));
    open = OPEN_END.test(code.trimEnd());
    end += 1;
  }
  const body = lines.slice(start, end);
  const hasQuery = body.some((_, offset) =>
    ['table', 'pipe'].includes(roleOf(lines, start + offset)),
  );
  if (hasQuery) blocks.push(makeBlock(body, start + 1));
  return Math.max(end, start + 1);
}

/** A line end that needs more of the expression on the next line. */
const OPEN_END = /(?:[|,([{=<>!+*/-]|\b(?:and|or|not)\b)$/i;

/**
 * Tells whether a line that is neither a pipe nor a query start continues the line above: it is
 * indented, as in a multi-line `where`, or it starts with `and`, `or`, a comparison or a
 * closing bracket.
 */
function continuesLine(line: string): boolean {
  if (/^\s+\S/.test(line)) return true;
  return /^\s*(?:(?:and|or)\b|[)\]},]|[=!<>]=|=~|!~)/i.test(line);
}

/** Tells whether the query goes on after the `//` comment lines that start at `index`. */
function queryGoesOn(lines: string[], index: number): boolean {
  let next = index;
  while (next < lines.length && roleOf(lines, next) === 'comment') next += 1;
  const role = roleOf(lines, next);
  return role === 'pipe' || (role === 'other' && continuesLine(lines[next] ?? ''));
}

/** Returns the code of one line, with its comment removed and each string literal emptied. */
function codeOf(line: string): string {
  const scanned = scanKql(line);
  let code = '';
  for (let index = 0; index < scanned.text.length; index++) {
    if (scanned.kinds[index] !== CharKind.String) code += scanned.text[index];
    else if (scanned.kinds[index - 1] !== CharKind.String) code += '""';
  }
  return code.replace(/\s+$/, '');
}

/** Returns the opening brackets minus the closing ones in a line of code. */
function bracketBalance(code: string): number {
  let balance = 0;
  for (const char of code) {
    if (char === '(' || char === '[' || char === '{') balance += 1;
    else if (char === ')' || char === ']' || char === '}') balance -= 1;
  }
  return balance;
}

function roleOf(lines: string[], index: number): LineRole {
  const line = (lines[index] ?? '').trim();
  if (line === '') return 'other';
  if (line.startsWith('//')) return 'comment';
  if (line.endsWith('|') && !startsTableThenPipe(lines, index)) {
    // A line that ends in `|` is a Markdown table row, unless it is `Table |` and a query follows.
    return 'other';
  }
  if (line.startsWith('|')) return isOperatorLine(line) ? 'pipe' : 'other';
  if (/^let\s+[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line)) return 'let';
  if (!TABLE_LINE.test(line)) return 'other';
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(line)?.[0] ?? '';
  // A Markdown table row under a heading such as `Indicators` is no pipe line.
  const nextIsPipe = index + 1 < lines.length && roleOf(lines, index + 1) === 'pipe';
  const pipedOn = line.includes('|') && isOperatorLine(line.slice(line.indexOf('|')));
  return KNOWN_TABLES.includes(name) || pipedOn || nextIsPipe ? 'table' : 'other';
}

/**
 * Tells whether a line ending in `|` is a known table piped into the next line, as in
 * `DeviceNetworkEvents |`, rather than a Markdown table row. A row has a cell after the first
 * `|`, or sits next to a `---|---` separator row.
 */
function startsTableThenPipe(lines: string[], index: number): boolean {
  const line = (lines[index] ?? '').trim();
  const name = /^([A-Za-z_][A-Za-z0-9_]*)\s*\|$/.exec(line)?.[1];
  if (!name || !KNOWN_TABLES.includes(name)) return false;
  const separator = /^\|?\s*:?-{3,}/;
  const next = (lines[index + 1] ?? '').trim();
  const previous = (lines[index - 1] ?? '').trim();
  return next !== '' && !separator.test(next) && !separator.test(previous);
}

/** Builds the block of the lines `body`, the first of which is the 1-based line `startLine`. */
export function makeBlock(body: string[], startLine: number): KqlBlock {
  const text = body.join('\n');
  const tables = KNOWN_TABLES.filter((table) => new RegExp(`\\b${table}\\b`).test(text)).sort(
    (a, b) => text.indexOf(a) - text.indexOf(b),
  );
  return { startLine, endLine: startLine + body.length - 1, text, tables };
}
