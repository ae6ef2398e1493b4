/**
 * Line ends that huntpack does not read. Feeds and logs end their lines with LF or CRLF. A file
 * whose lines end with CR alone would read as one long line, and every row after the first
 * would be lost without an error.
 */

/**
 * Tells whether a sample of a file's start ends its lines with CR alone: the sample has no LF,
 * and text follows a CR.
 */
export function hasCrOnlyLineEnds(sample: string): boolean {
  if (sample.includes('\n')) return false;
  const cr = sample.indexOf('\r');
  return cr >= 0 && sample.slice(cr + 1).trim() !== '';
}

/** Returns the message for such a file, with the way to convert it. */
export function crLineEndsAdvice(file: string): string {
  return (
    `${file} ends its lines with a carriage return alone (CR, as classic Mac OS wrote them), ` +
    `which huntpack does not read as line ends. Convert them to LF, for example with ` +
    `tr '\\r' '\\n' < FILE > NEW, and run again.`
  );
}
