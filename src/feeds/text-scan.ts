/**
 * The scan state of one refanged line of free text, and the functions with which the scanners
 * record what each indicator candidate is.
 *
 * `scanLine` in text.ts runs the scanners in a fixed order (URLs, UNC paths, e-mail addresses,
 * IPv6, IPv4, domains, hashes) over a working copy of the line. Each one blanks the text it takes,
 * so a URL's host is not read again as a domain, and an address inside a URL is not read again as
 * an IP. Every mention yields at most one indicator, the most specific one.
 */
import type { HuntpackIssue } from '../errors.js';
import { quoteValue } from '../errors.js';
import { spanIsDefanged, type RefangedLine } from './text-refang.js';
import { isReferenceSite, type ReferenceSite } from './text-rules.js';

/** Reason for leaving a candidate out on purpose, used as a key of `FeedReaderOutput.dropped`. */
export type DropReason =
  | 'reference-link'
  | 'fanged-in-defanged-text'
  | 'email-address'
  | 'covered-by-ip-port'
  | 'ambiguous-tld'
  | 'unknown-tld'
  | 'invalid-domain'
  | 'invalid-address'
  | 'digits-only-hex'
  | 'unsupported-hex-length'
  | 'cidr-range'
  | 'address-range'
  | 'version-number'
  | 'app-link';

export type MentionType = 'ip' | 'ip-port' | 'domain' | 'url' | 'md5' | 'sha1' | 'sha256';

/** One indicator as written on one line, after refanging. */
export interface Mention {
  type: MentionType;
  value: string;
  line: number;
  /** Offset in the refanged line, for ordering. */
  start: number;
  /** Canonical address of an `ip` or `ip-port` mention, or of a URL on an address with a port. */
  address?: string;
  tags: string[];
}

/** Outcome of one candidate. A drop carries the candidate's text and line for the drop issue. */
export type Verdict =
  | { mention: Mention }
  | { drop: DropReason; value: string; line: number }
  | { reject: HuntpackIssue };

/** Settings that stay the same for every line of one text. */
export interface ScanSettings {
  file: string;
  /** True when any line of the text contains a defang marker. */
  textIsDefanged: boolean;
  keepReferenceLinks: boolean;
  keepFangedLinks: boolean;
  keepEmailDomains: boolean;
  referenceSites: readonly ReferenceSite[];
}

/**
 * The working copy of one line, in which each scanner blanks the spans it takes. `blank` only
 * marks a span, and `read` writes the spaces when it is next called. A scanner therefore reads
 * the text once before its loop and blanks each match in time linear in the match, so a line
 * with many indicators takes time linear in its length.
 */
export class WorkingText {
  private readonly original: string;
  /** 1 at each character that a scanner blanked. */
  private readonly blanked: Uint8Array;
  private text: string;
  private stale = false;

  constructor(text: string) {
    this.original = text;
    this.text = text;
    this.blanked = new Uint8Array(text.length);
  }

  /** Marks `[start, end)` as taken, so that `read` returns spaces there. */
  blank(start: number, end: number): void {
    const last = Math.min(end, this.original.length);
    if (start >= last) return;
    this.blanked.fill(1, start, last);
    this.stale = true;
  }

  /** Returns true when any character in `[start, end)` was blanked. */
  isBlanked(start: number, end: number): boolean {
    for (let i = start; i < end; i++) {
      if (this.blanked[i] === 1) return true;
    }
    return false;
  }

  /**
   * Returns the line with every blanked span replaced by spaces. After a `blank`, the next call
   * rebuilds the text in time linear in the line length, so scanners call it once per pass, not
   * once per match.
   */
  read(): string {
    if (this.stale) {
      this.text = this.rebuild();
      this.stale = false;
    }
    return this.text;
  }

  private rebuild(): string {
    const parts: string[] = [];
    const length = this.original.length;
    let start = 0;
    while (start < length) {
      const isBlank = this.blanked[start] === 1;
      const found = this.blanked.indexOf(isBlank ? 0 : 1, start);
      const end = found === -1 ? length : found;
      parts.push(isBlank ? ' '.repeat(end - start) : this.original.slice(start, end));
      start = end;
    }
    return parts.join('');
  }
}

/** The state of one line while the scanners run over it. */
export interface LineScan {
  line: RefangedLine;
  lineNumber: number;
  /** The refanged text, in which every taken span reads as spaces. */
  work: WorkingText;
  /** `[start, end)` offsets of Markdown or AsciiDoc code spans (between backticks). */
  codeSpans: Array<[number, number]>;
  verdicts: Verdict[];
  /** Warnings about accepted candidates, such as a URL cut at a space. */
  warnings: HuntpackIssue[];
}

/** Creates the scan state of one refanged line. */
export function startLineScan(line: RefangedLine, lineNumber: number): LineScan {
  const codeSpans: Array<[number, number]> = [];
  for (const match of line.text.matchAll(/`[^`]+`/g)) {
    codeSpans.push([match.index, match.index + match[0].length]);
  }
  const work = new WorkingText(line.text);
  return { line, lineNumber, work, codeSpans, verdicts: [], warnings: [] };
}

/** Replaces `[start, end)` of the working copy with spaces so later scanners skip it. */
export function blank(scan: LineScan, start: number, end: number): void {
  scan.work.blank(start, end);
}

/**
 * Returns true when `position` lies in a code span. The spans come from one left-to-right match,
 * so they are sorted and disjoint, and a binary search finds the last one that starts at or
 * before `position`.
 */
function inCodeSpan(spans: ReadonlyArray<[number, number]>, position: number): boolean {
  let low = 0;
  let high = spans.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [start, end] = spans[middle] ?? [0, 0];
    if (position < start) high = middle - 1;
    else if (position >= end) low = middle + 1;
    else return true;
  }
  return false;
}

/** Records an accepted mention. */
export function accept(
  scan: LineScan,
  type: MentionType,
  value: string,
  start: number,
  extra: { address?: string; tags?: string[] } = {},
): void {
  const mention: Mention = { type, value, line: scan.lineNumber, start, tags: extra.tags ?? [] };
  if (extra.address !== undefined) mention.address = extra.address;
  scan.verdicts.push({ mention });
}

/** Records a candidate left out on purpose, with its refanged text. */
export function drop(scan: LineScan, reason: DropReason, value: string): void {
  scan.verdicts.push({ drop: reason, value, line: scan.lineNumber });
}

/** Records a candidate that could not be read, with a warning that gives the reason. */
export function reject(
  scan: LineScan,
  settings: ScanSettings,
  code: string,
  message: string,
): void {
  scan.verdicts.push({ reject: issue(scan, settings, code, message) });
}

/**
 * Builds a warning at the current line. The message leaves out the file and line, because
 * `source` carries them and `formatIssue` prints them before the message.
 */
export function issue(
  scan: LineScan,
  settings: ScanSettings,
  code: string,
  message: string,
): HuntpackIssue {
  return {
    code,
    severity: 'warning',
    message,
    source: { file: settings.file, line: scan.lineNumber },
  };
}

/**
 * Decides whether a fanged link or domain is left out, and returns the reason or undefined.
 * Links to reference sites are sources, not indicators. When the writer defanged other
 * indicators in the same text, a name left fanged (a vendor blog, a legitimate brand) is not
 * meant as an indicator, unless it sits in a code span.
 */
export function fangedLinkDropReason(
  scan: LineScan,
  settings: ScanSettings,
  span: { start: number; end: number; host: string; path: string },
): DropReason | undefined {
  if (spanIsDefanged(scan.line, span.start, span.end)) return undefined;
  if (
    !settings.keepReferenceLinks &&
    isReferenceSite(span.host, span.path, settings.referenceSites)
  ) {
    return 'reference-link';
  }
  const inCode = inCodeSpan(scan.codeSpans, span.start);
  if (!settings.keepFangedLinks && settings.textIsDefanged && !inCode) {
    return 'fanged-in-defanged-text';
  }
  return undefined;
}

/** Returns the port as a number, or undefined when it is above 65535. */
export function parsePort(text: string): number | undefined {
  const port = Number(text);
  return Number.isInteger(port) && port <= 65535 ? port : undefined;
}

/** Rejects an address whose port is above 65535. */
export function rejectPort(
  scan: LineScan,
  settings: ScanSettings,
  host: string,
  portText: string,
): void {
  reject(
    scan,
    settings,
    'INVALID_PORT',
    `Invalid port ${quoteValue(portText)} after ${quoteValue(host)}: expected a number from 0 to 65535.`,
  );
}

/**
 * Matches a sticky pattern at `index` of `text`. Scanners use it to look at the text right after
 * a match without copying the rest of the line.
 */
export function execAt(pattern: RegExp, text: string, index: number): RegExpExecArray | null {
  pattern.lastIndex = index;
  return pattern.exec(text);
}
