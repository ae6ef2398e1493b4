/** Wording shared by the commands' summaries. */
import { isAbsolute, relative } from 'node:path';
import { printable } from '../errors.js';
import type { CollectCounts } from '../pipeline/collect.js';

/** Writes a count with its noun: `1 pack`, `2 packs`. */
export function count(value: number, singular: string, plural = `${singular}s`): string {
  return `${value} ${value === 1 ? singular : plural}`;
}

/**
 * Shows a path relative to the working folder when it lies inside it, with its control
 * characters escaped as {@link printable} does: a file name may hold a line break.
 */
export function displayPath(file: string, cwd: string): string {
  const shown = relative(cwd, file);
  return printable(shown && !shown.startsWith('..') && !isAbsolute(shown) ? shown : file);
}

/** Writes how the rows read divide: `rows read N = accepted A + rejected R + merged M`. */
export function rowsReadLine(counts: CollectCounts): string {
  const dropped = Object.values(counts.dropped).reduce((sum, rows) => sum + rows, 0);
  const droppedText = Object.entries(counts.dropped)
    .map(([reason, rows]) => `${rows} ${reason}`)
    .join(', ');
  return (
    `rows read ${counts.rowsRead} = accepted ${counts.accepted} + rejected ${counts.rejected} + ` +
    `merged duplicates ${counts.merged}${dropped > 0 ? ` + dropped ${dropped} (${droppedText})` : ''}`
  );
}
