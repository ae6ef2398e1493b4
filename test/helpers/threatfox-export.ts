/**
 * Edits of a ThreatFox CSV export for tests that change its rows, such as a later day's feed.
 */

/**
 * Returns the export without the data rows that `drop` matches, with its trailer count set to
 * the rows left, as ThreatFox writes it. A trailer that disagrees with the rows makes a build
 * treat the feed as possibly cut short.
 */
export function withoutRows(text: string, drop: RegExp): string {
  const lines = text.split('\n');
  const remaining = lines.filter((line) => !(line.startsWith('"') && drop.test(line)));
  const rows = remaining.filter((line) => line.startsWith('"')).length;
  return remaining
    .map((line) => line.replace(/^# Number of entries: \d+/, `# Number of entries: ${rows}`))
    .join('\n');
}
