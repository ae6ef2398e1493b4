/**
 * Prints a file diagnostic for the terminal: a `file:line:column: severity CODE: message` line,
 * then the source line with carets under the bad spot, as the yaml library prints its errors.
 */
import stringWidth from 'string-width';
import { formatIssue } from '../errors.js';
import type { FileDiagnostic } from './check-files.js';

/** Columns of source shown around the bad spot when a line is longer than this. */
const MAX_SHOWN_WIDTH = 100;
const CONTEXT_BEFORE = 40;

/**
 * Formats a diagnostic as two or three lines without a trailing line break. Long source lines
 * are cut to a window around the column and marked with `…`.
 */
export function formatDiagnostic(diagnostic: FileDiagnostic): string {
  const heading = formatIssue(diagnostic);
  const { line, column } = diagnostic.source;
  if (diagnostic.sourceLine === undefined || line === undefined || column === undefined) {
    return heading;
  }

  const { shown, caretStart } = cutAroundColumn(diagnostic.sourceLine, column - 1);
  const caretEnd = Math.min(shown.length, caretStart + Math.max(1, diagnostic.length));
  const caretCount = Math.max(1, stringWidth(shown.slice(caretStart, caretEnd)));
  const padding = blankOut(shown.slice(0, caretStart));
  const gutter = String(line);
  const blank = ' '.repeat(gutter.length);
  return [heading, `${gutter} | ${shown}`, `${blank} | ${padding}${'^'.repeat(caretCount)}`].join(
    '\n',
  );
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Returns spaces as wide as `text` is in a terminal: two for a wide character such as `日`, none
 * for a combining mark. Tabs stay tabs, so the carets line up however wide a tab is drawn.
 */
function blankOut(text: string): string {
  let blank = '';
  for (const { segment } of graphemes.segment(text)) {
    blank += segment === '\t' ? '\t' : ' '.repeat(stringWidth(segment));
  }
  return blank;
}

/** Returns the part of `text` to print and where the caret column falls inside it. */
function cutAroundColumn(text: string, index: number): { shown: string; caretStart: number } {
  // Control characters other than tab could move the terminal cursor, so they print as `?`.
  const printable = text.replace(/[^\P{Cc}\t]/gu, '?');
  if (printable.length <= MAX_SHOWN_WIDTH) return { shown: printable, caretStart: index };

  let from = Math.max(0, Math.min(index - CONTEXT_BEFORE, printable.length - MAX_SHOWN_WIDTH));
  let to = Math.min(printable.length, from + MAX_SHOWN_WIDTH);
  // A cut between the two halves of a surrogate pair would print a broken character.
  if (isLowSurrogate(printable, from)) from += 1;
  if (isLowSurrogate(printable, to)) to += 1;
  const prefix = from > 0 ? '…' : '';
  const suffix = to < printable.length ? '…' : '';
  return {
    shown: `${prefix}${printable.slice(from, to)}${suffix}`,
    caretStart: index - from + prefix.length,
  };
}

function isLowSurrogate(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= 0xdc00 && code <= 0xdfff;
}
