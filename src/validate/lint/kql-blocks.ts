/**
 * Finds the KQL queries in a hand-written hunt report: fenced code blocks, and runs of lines
 * that start at a `//` comment, a `let` statement or a table name and continue through the
 * `| operator` lines of the query.
 */
import { DEFENDER_TABLES, SENTINEL_TABLES } from '../../pipeline/schemas.js';

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

/** Returns the KQL blocks of a report, in order. */
export function findKqlBlocks(text: string): KqlBlock[] {
  const lines = text.split(/\r?\n/);
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
  const lines = text.split(/\r?\n/);
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
  const looksLikeKql = body.some((line) => line.trim().startsWith('|'));
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
 */
function readBareBlock(lines: string[], start: number, blocks: KqlBlock[]): number {
  const first = roleOf(lines, start);
  if (first === 'other' || first === 'pipe') return start + 1;
  let end = start;
  let sawPipeline = false;
  while (end < lines.length) {
    const role = roleOf(lines, end);
    if (FENCE.test(lines[end] ?? '')) break;
    if (role === 'other') {
      // An indented line inside a query continues the line above, as in a multi-line `where`.
      if (end > start && /^\s+\S/.test(lines[end] ?? '')) {
        end += 1;
        continue;
      }
      break;
    }
    const startsQuery = role === 'comment' || role === 'let' || role === 'table';
    if (sawPipeline && startsQuery) break;
    if (role === 'pipe' || (role === 'table' && end > start)) sawPipeline = true;
    end += 1;
  }
  const body = lines.slice(start, end);
  const hasQuery = body.some((_, offset) =>
    ['table', 'pipe'].includes(roleOf(lines, start + offset)),
  );
  if (hasQuery) blocks.push(makeBlock(body, start + 1));
  return Math.max(end, start + 1);
}

function roleOf(lines: string[], index: number): LineRole {
  const line = (lines[index] ?? '').trim();
  if (line === '') return 'other';
  // A line that ends in `|` is a Markdown table row, even when it starts with a table name.
  if (line.endsWith('|')) return 'other';
  if (line.startsWith('//')) return 'comment';
  if (line.startsWith('|')) return 'pipe';
  if (/^let\s+[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line)) return 'let';
  if (!TABLE_LINE.test(line)) return 'other';
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(line)?.[0] ?? '';
  const nextIsPipe = (lines[index + 1] ?? '').trim().startsWith('|');
  return KNOWN_TABLES.includes(name) || line.includes('|') || nextIsPipe ? 'table' : 'other';
}

function makeBlock(body: string[], startLine: number): KqlBlock {
  const text = body.join('\n');
  const tables = KNOWN_TABLES.filter((table) => new RegExp(`\\b${table}\\b`).test(text)).sort(
    (a, b) => text.indexOf(a) - text.indexOf(b),
  );
  return { startLine, endLine: startLine + body.length - 1, text, tables };
}
