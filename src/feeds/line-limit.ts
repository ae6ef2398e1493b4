/**
 * The maximum length of a line that huntpack reads, from a feed or from a log. A real ThreatFox
 * row or log event has a few kilobytes at most. The longest line in the sample feeds
 * and reports used in tests has 157 KB (a JSON document). The limit stops a file of one endless
 * line, such as a small gzip bomb, before that line fills memory.
 */

/** Maximum bytes of UTF-8 in one line, without its line break: 64 MiB. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** Returns the limit as messages state it, such as `67,108,864 bytes`. */
export function lineLimitText(maxLineBytes: number): string {
  return `${maxLineBytes.toLocaleString('en-US')} bytes`;
}

/**
 * Tells whether `line` takes more than `maxLineBytes` bytes in UTF-8. A line of at most a third
 * of the limit in UTF-16 units cannot, so only longer lines are measured.
 */
export function lineTooLong(line: string, maxLineBytes: number): boolean {
  return line.length * 3 > maxLineBytes && Buffer.byteLength(line, 'utf8') > maxLineBytes;
}
