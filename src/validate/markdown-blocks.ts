/**
 * Finds the KQL code blocks in a Markdown file: fenced code blocks whose info string starts
 * with `kql` or `kusto`, and unlabelled ones with a `| operator` line. Fences follow CommonMark: three or more backticks or tildes, indented
 * at most three spaces. A block ends at a fence of the same character that is at least as long
 * and has no info string, or at the end of the file. A block inside a block quote (`> ```kql`)
 * ends at the closing fence or at the first line without the quote's `>` markers.
 */
import { isOperatorLine } from './lint/kql-blocks.js';

export interface MarkdownCodeBlock {
  /**
   * Block content as written, with its line breaks and indentation. In a block quote, the `>`
   * markers are replaced with spaces, so offsets in the text still match the file.
   */
  text: string;
  /** Offset of the content in the Markdown file, in UTF-16 code units. */
  start: number;
  /** 1-based line of the opening fence. */
  fenceLine: number;
  /** False when the file ended before a closing fence, which CommonMark allows. */
  closed: boolean;
}

const OPENING_FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const KQL_LANGUAGES = new Set(['kql', 'kusto']);
/** The markers of one or more nested block quotes at the start of a line. */
const QUOTE_MARKERS = /^(?: {0,3}>[ \t]?)+/;

// NOTE: a fence in a list item is found only when indented at most three spaces.

interface Line {
  text: string;
  /** Offset of the first character of the line. */
  start: number;
  /** Offset just past the line break, or the end of the file. */
  next: number;
}

/** Splits text into lines, treating CRLF, LF and a lone CR as one line break each. */
function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const breaks = /\r\n|\n|\r/g;
  let start = 0;
  for (let match = breaks.exec(text); match; match = breaks.exec(text)) {
    lines.push({ text: text.slice(start, match.index), start, next: breaks.lastIndex });
    start = breaks.lastIndex;
  }
  if (start < text.length) lines.push({ text: text.slice(start), start, next: text.length });
  return lines;
}

function isClosingFence(line: string, fence: string): boolean {
  const match = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
  const marks = match?.[1];
  return marks !== undefined && marks[0] === fence[0] && marks.length >= fence.length;
}

/** Returns the number of `>` markers that start a line, and their length in characters. */
function quotePrefix(line: string): { depth: number; length: number } {
  const markers = QUOTE_MARKERS.exec(line)?.[0] ?? '';
  return { depth: (markers.match(/>/g) ?? []).length, length: markers.length };
}

/**
 * Tells whether an unlabelled code block holds a query: some line is a `| operator` line, as
 * `huntpack lint` reads unlabelled blocks.
 */
function looksLikeKql(body: string): boolean {
  return body.split(/\r\n?|\n/).some((line) => isOperatorLine(line.replace(/^[\s>]*/, '')));
}

/**
 * Returns the `kql` and `kusto` fenced code blocks of a Markdown document, and the unlabelled
 * ones that hold a query, in order.
 */
export function findKqlBlocks(markdown: string): MarkdownCodeBlock[] {
  const lines = splitLines(markdown);
  const blocks: MarkdownCodeBlock[] = [];

  for (let index = 0; index < lines.length; index++) {
    const lineText = lines[index]?.text ?? '';
    const quote = quotePrefix(lineText);
    const opening = OPENING_FENCE.exec(lineText.slice(quote.length));
    const fence = opening?.[1];
    const info = opening?.[2] ?? '';
    // A backtick fence may not have a backtick in its info string, or it is inline code.
    if (fence === undefined || (fence.startsWith('`') && info.includes('`'))) continue;
    const language = (info.trim().split(/\s/)[0] ?? '').toLowerCase();

    // Find the closing fence; every line between belongs to the block, KQL or not. In a block
    // quote, a line with fewer markers ends the quote and so the block.
    let closing = index + 1;
    let closed = false;
    while (closing < lines.length) {
      const text = lines[closing]?.text ?? '';
      const inner = quotePrefix(text);
      if (inner.depth < quote.depth) break;
      if (isClosingFence(text.slice(quote.depth > 0 ? inner.length : 0), fence)) {
        closed = true;
        break;
      }
      closing++;
    }
    const endsQuote = !closed && closing < lines.length;
    const first = lines[index + 1];
    const start = first ? first.start : markdown.length;
    const end = closing < lines.length ? (lines[closing]?.start ?? start) : markdown.length;
    const body = markdown.slice(start, Math.max(start, end));
    if (KQL_LANGUAGES.has(language) || (language === '' && looksLikeKql(body))) {
      blocks.push({
        text: blankQuoteMarkers(body, quote.depth > 0),
        start,
        fenceLine: index + 1,
        closed: closed || endsQuote,
      });
    }
    // A block cut short by the end of its quote leaves the next line unread.
    index = endsQuote ? closing - 1 : closing;
  }
  return blocks;
}

/** Replaces the `>` markers of each line with spaces, keeping every offset. */
function blankQuoteMarkers(text: string, quoted: boolean): string {
  if (!quoted) return text;
  return text.replace(/^(?: {0,3}>[ \t]?)+/gm, (markers) => markers.replace(/[^\t]/g, ' '));
}
