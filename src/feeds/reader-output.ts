/**
 * The result every feed reader returns: raw records plus what happened to the rest of the input.
 */
import type { HuntpackIssue } from '../errors.js';
import type { RawIndicator } from '../indicators/model.js';

export interface FeedReaderOutput {
  /** Records read, in input order, before normalization. */
  records: RawIndicator[];
  /** Problems found while reading; the reader keeps going after each one. */
  issues: HuntpackIssue[];
  /** Items the reader looked at: feed rows or objects, or candidate tokens for free text. */
  itemsRead: number;
  /** Items that looked like indicators but could not be read; each has an issue that says why. */
  rejected: number;
  /** Items left out on purpose, counted by reason, such as `{ 'reference-link': 3 }`. */
  dropped: Record<string, number>;
}

/** Returns an empty output to fill in. */
export function emptyReaderOutput(): FeedReaderOutput {
  return { records: [], issues: [], itemsRead: 0, rejected: 0, dropped: {} };
}

/** Adds one to the dropped count of a reason. */
export function countDropped(output: FeedReaderOutput, reason: string): void {
  output.dropped[reason] = (output.dropped[reason] ?? 0) + 1;
}
