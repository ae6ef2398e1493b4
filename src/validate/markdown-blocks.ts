/**
 * Finds the KQL code blocks in a Markdown file: fenced code blocks whose info string starts
 * with `kql` or `kusto`. Fences follow CommonMark: three or more backticks or tildes, indented
 * at most three spaces. A block ends at a fence of the same character that is at least as long
 * and has no info string, or at the end of the file.
 */

export interface MarkdownCodeBlock {
  /** Block content exactly as written, with its line breaks and indentation. */
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

// NOTE: fences inside block quotes (`> ```kql`) and list items are not found.

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

/** Returns the `kql` and `kusto` fenced code blocks of a Markdown document, in order. */
export function findKqlBlocks(markdown: string): MarkdownCodeBlock[] {
  const lines = splitLines(markdown);
  const blocks: MarkdownCodeBlock[] = [];

  for (let index = 0; index < lines.length; index++) {
    const opening = OPENING_FENCE.exec(lines[index]?.text ?? '');
    const fence = opening?.[1];
    const info = opening?.[2] ?? '';
    // A backtick fence may not have a backtick in its info string, or it is inline code.
    if (fence === undefined || (fence.startsWith('`') && info.includes('`'))) continue;
    const language = (info.trim().split(/\s/)[0] ?? '').toLowerCase();

    // Find the closing fence; every line between belongs to the block, KQL or not.
    let closing = index + 1;
    while (closing < lines.length && !isClosingFence(lines[closing]?.text ?? '', fence)) {
      closing++;
    }
    if (KQL_LANGUAGES.has(language)) {
      const first = lines[index + 1];
      const start = first ? first.start : markdown.length;
      const end = closing < lines.length ? (lines[closing]?.start ?? start) : markdown.length;
      blocks.push({
        text: markdown.slice(start, Math.max(start, end)),
        start,
        fenceLine: index + 1,
        closed: closing < lines.length,
      });
    }
    index = closing;
  }
  return blocks;
}
