/**
 * Detection of NDJSON of ThreatFox API items (one item per line, as log shippers store them)
 * from the first lines of a sample. One broken or incomplete line, wherever it is, is then a row
 * that the reader rejects, not a reason to reject the whole input.
 */
import { FeedParseError, quoteValue } from '../errors.js';

/** Non-blank lines that detection reads at most, looking for one ThreatFox API item. */
export const NDJSON_SCAN_LINES = 20;

/**
 * True when the sample starts with a line that opens a JSON object and one of its first
 * {@link NDJSON_SCAN_LINES} non-blank lines is a ThreatFox API item on its own, unless the lines
 * are one JSON document. Lines that do not parse, or lack `ioc_type`, do not decide, because the
 * reader rejects them one by one.
 */
export function isNdjsonOfItems(text: string): boolean {
  const lines = firstNonBlankLines(text, NDJSON_SCAN_LINES);
  if (!opensJsonLines(lines) || isDocumentOverLines(text, lines)) return false;
  return lines.some(isThreatFoxItem);
}

/**
 * True when the sample is one JSON document written over several lines, such as
 * `{"iocs": [` followed by one item per line: its last item ends without a comma and would
 * otherwise pass for an NDJSON line. A sample cut short inside such a document does not parse,
 * but a line of closing brackets (`]}` or `},`), which no valid NDJSON line is, still shows it.
 */
function isDocumentOverLines(text: string, lines: readonly string[]): boolean {
  if (lines.some((line) => /^[\]}]+,?$/.test(line))) return true;
  if (lines.length < 2) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    // Expected for NDJSON: the whole text is several documents.
    return false;
  }
}

/**
 * Returns an UNKNOWN_FEED_FORMAT error for a sample that looks like JSON lines (at least two of
 * its first lines are each a JSON object) but has no ThreatFox API item among them. Returns
 * undefined for any other sample, such as one JSON document over several lines.
 */
export function jsonLinesError(fileName: string, text: string): FeedParseError | undefined {
  const lines = firstNonBlankLines(text, NDJSON_SCAN_LINES);
  if (!opensJsonLines(lines)) return undefined;
  if (lines.filter((line) => line.startsWith('{') && line.endsWith('}')).length < 2) {
    return undefined;
  }
  try {
    JSON.parse(text);
    // One JSON document is no JSON lines, even when some of its lines are objects.
    return undefined;
  } catch {
    // Expected for JSON lines: the whole text is several documents.
  }
  return new FeedParseError(
    'UNKNOWN_FEED_FORMAT',
    `Unknown feed format in ${quoteValue(fileName)} (starts with ${quoteValue(lines[0]!, 40)}): it looks like JSON lines, but none of its first ${lines.length} non-blank lines is a ThreatFox API item (a JSON object with ioc_type and ioc or ioc_value). If it is NDJSON of ThreatFox API items, pass --format threatfox-ndjson, which reads each valid line and reports each invalid one with its line number.`,
    { source: { file: fileName, line: 1 } },
  );
}

/**
 * True when the first line starts a JSON object but is not a lone `{`, which opens one JSON
 * document written over several lines. A sample that starts with `[` is an array, not JSON lines.
 * NOTE: NDJSON whose first line starts with anything else, such as a log prefix, is not
 * detected, so that a report quoting an API item stays text. It needs --format threatfox-ndjson.
 */
function opensJsonLines(lines: readonly string[]): boolean {
  const first = lines[0];
  return first !== undefined && first.startsWith('{') && first !== '{';
}

/** True when the line is a JSON object with `ioc_type` and `ioc` or `ioc_value`. */
function isThreatFoxItem(line: string): boolean {
  if (!line.startsWith('{') || !line.endsWith('}')) return false;
  try {
    const item = JSON.parse(line) as unknown;
    return (
      typeof item === 'object' &&
      item !== null &&
      'ioc_type' in item &&
      ('ioc' in item || 'ioc_value' in item)
    );
  } catch {
    return false;
  }
}

/** Returns up to `max` lines of the text that are not blank, trimmed (which drops a CR too). */
function firstNonBlankLines(text: string, max: number): string[] {
  const lines: string[] = [];
  let start = 0;
  while (lines.length < max && start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(start, end).trim();
    if (line !== '') lines.push(line);
    start = end + 1;
  }
  return lines;
}
