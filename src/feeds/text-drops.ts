/**
 * Counts the candidates the free-text reader leaves out on purpose and names them in one info
 * issue per reason, so that an analyst can audit every drop in the build issues.
 */
import type { HuntpackIssue } from '../errors.js';
import { quoteValue } from '../errors.js';
import { defangText } from '../indicators/defang-text.js';
import { countDropped, type FeedReaderOutput } from './reader-output.js';
import type { DropReason } from './text-scan.js';

/** Maximum number of dropped values named per reason and file. The rest count as "and N more". */
export const MAX_DROPPED_VALUES_SHOWN = 20;

/** Noun phrase for what each drop reason leaves out, which the issue puts after the reason. */
const DROP_REASON_TEXT: Record<DropReason, string> = {
  'reference-link': 'fanged links to reference sites such as social media and sandboxes',
  'fanged-in-defanged-text':
    'domains or URLs written live in a text that defangs its indicators, outside code spans',
  'email-address': 'e-mail addresses, whose domain is usually a mail provider',
  'covered-by-ip-port': 'bare addresses that also appear with a port in the same text',
  'ambiguous-tld': 'live names whose top-level domain is also a file extension or a code word',
  'unknown-tld': 'names whose last label is not an IANA top-level domain, such as file names',
  'invalid-domain': 'names or URL hosts that are not valid domain names',
  'invalid-address': 'live address-like values that are not valid IP addresses',
  'digits-only-hex': 'runs of decimal digits of hash length, read as numbers',
  'unsupported-hex-length': 'runs of hex digits longer than 31 that are not 32, 40 or 64 long',
  'cidr-range': 'address blocks, which huntpack does not hunt as single addresses',
  'address-range':
    'address ranges written as two addresses joined by a dash or "to", whose two ends alone would miss the rest',
  'app-link': 'links to apps and browser extensions, whose authority names a package, not a server',
  'version-number':
    'dotted numbers after a version word or a product name (version 7.4.2.1, Chrome/120.0.0.0), read as version numbers',
};

interface DroppedValues {
  count: number;
  /** The first values as written, each with its line number. */
  firstValues: Array<{ value: string; line: number }>;
}

/** Counts the drops of one text, by reason, and keeps the first values of each reason. */
export class DropLog {
  private readonly byReason = new Map<DropReason, DroppedValues>();

  constructor(private readonly output: FeedReaderOutput) {}

  /** Counts one dropped candidate as read and dropped, and keeps its value among the first ones. */
  add(reason: DropReason, value: string, line: number): void {
    countDropped(this.output, reason);
    let dropped = this.byReason.get(reason);
    if (!dropped) {
      dropped = { count: 0, firstValues: [] };
      this.byReason.set(reason, dropped);
    }
    dropped.count++;
    if (dropped.firstValues.length < MAX_DROPPED_VALUES_SHOWN) {
      dropped.firstValues.push({ value, line });
    }
  }

  /** Adds one info issue per drop reason to the output, in the order of each reason's first drop. */
  addIssues(file: string): void {
    for (const [reason, dropped] of this.byReason) {
      this.output.issues.push(droppedIssue(file, reason, dropped));
    }
  }
}

function droppedIssue(file: string, reason: DropReason, dropped: DroppedValues): HuntpackIssue {
  const values = dropped.firstValues.map(
    ({ value, line }) => `${quoteValue(defangText(value))} (line ${line})`,
  );
  const more = dropped.count - dropped.firstValues.length;
  if (more > 0) values.push(`and ${more} more`);
  const noun = dropped.count === 1 ? 'candidate' : 'candidates';
  return {
    code: 'TEXT_CANDIDATES_DROPPED',
    severity: 'info',
    message:
      `Left out ${dropped.count} ${noun} as ${reason}, ${DROP_REASON_TEXT[reason]}: ` +
      `${values.join(', ')}.`,
    source: { file },
  };
}
