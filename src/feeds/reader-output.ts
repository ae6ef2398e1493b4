/**
 * The result every feed reader returns, so the reader registry can treat all formats alike.
 */
import type { HuntpackIssue } from '../errors.js';
import type { RawIndicator } from '../indicators/model.js';

/**
 * Records and issues from one feed file, with counts that reconcile:
 * `itemsRead === records.length + rejected + sum(Object.values(dropped))`.
 *
 * An item is one candidate indicator. A ThreatFox row is one item. A STIX indicator object whose
 * pattern yields N indicators counts as N items, and one that yields none (revoked, rejected)
 * counts as one. A MISP attribute counts once per value it carries (`domain|ip` counts twice),
 * and an `ip-port` object counts once however many attributes make up the address and port.
 * In free text, each indicator found counts once, a URL on an address with a port included.
 */
export interface FeedReaderOutput {
  records: RawIndicator[];
  issues: HuntpackIssue[];
  itemsRead: number;
  /** Items the reader could not use (invalid syntax, unsupported construct, bad value). */
  rejected: number;
  /** Items left out on purpose, by reason, such as `revoked` or `not-to-ids`. */
  dropped: Record<string, number>;
}

/** Returns an empty output to fill in. */
export function emptyReaderOutput(): FeedReaderOutput {
  return { records: [], issues: [], itemsRead: 0, rejected: 0, dropped: {} };
}

/** Adds `count` items dropped for `reason`, and counts them as read. */
export function countDropped(output: FeedReaderOutput, reason: string, count = 1): void {
  output.dropped[reason] = (output.dropped[reason] ?? 0) + count;
  output.itemsRead += count;
}

/** Adds the records, issues and counts of `part` to `total`. */
export function mergeReaderOutput(total: FeedReaderOutput, part: FeedReaderOutput): void {
  // A loop instead of push(...spread), because spreading a very large array overflows the stack.
  for (const record of part.records) total.records.push(record);
  for (const issue of part.issues) total.issues.push(issue);
  total.itemsRead += part.itemsRead;
  total.rejected += part.rejected;
  for (const [reason, count] of Object.entries(part.dropped)) {
    total.dropped[reason] = (total.dropped[reason] ?? 0) + count;
  }
}
