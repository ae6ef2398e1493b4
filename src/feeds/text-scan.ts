/**
 * Finds indicator candidates in one refanged line of free text and decides what each one is.
 *
 * The scanners run in a fixed order (URLs, UNC paths, e-mail addresses, IPv6, IPv4, domains,
 * hashes) over a working copy of the line. Each one blanks the text it takes, so a URL's host is
 * not read again as a domain, and an address inside a URL is not read again as an IP. Every
 * mention yields at most one indicator, the most specific one.
 */
import type { HuntpackIssue } from '../errors.js';
import { quoteValue } from '../errors.js';
import { spanIsDefanged, type RefangedLine } from './text-refang.js';
import { AMBIGUOUS_TLDS, isReferenceSite, type ReferenceSite } from './text-rules.js';
import { checkDomain, checkHost, checkIpv4, checkIpv6, looksLikeIpv6 } from './text-hosts.js';
import { defangDots } from '../indicators/defang.js';
import { versionNumberKind } from './text-versions.js';

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

/**
 * A port that prose names right after an address, as threat reports write it: `port 8080`,
 * `on port 8080`, `over TCP port 8080`, `(port 8080)`, `port: 8080`, `on port tcp/8080` or
 * `tcp/8080`. Group 1 is the port. It is read from where the address ends (the `y` flag), and
 * a port further away, after other words, or in a range or list (`8080-8090`, `8080 – 8090`,
 * `8080 to 8090`, `80/443`, `443, 8443`) is not read. A comma before another address
 * (`port 4444, 45.9.1.3 port 8080`) ends the port.
 */
const PROSE_PORT =
  /(?=[\s(])\s*(?:\(\s*)?(?:(?:on|over|via|using)\s+)?(?:(?:(?:tcp|udp)\s+)?port\s*:?\s*(?:(?:tcp|udp)\/)?|(?:tcp|udp)\/)(\d{1,5})(?!\w|[.:/]\d|\s*[-\u2010-\u2015~]\s*\d|\s+(?:to|and)\s+\d+(?![\d.])|\s*,\s*\d+(?![\d.]))/iy;

/** Returns the port that prose names right after position `end` of `text` (see PROSE_PORT). */
function prosePortAfter(text: string, end: number): number | undefined {
  PROSE_PORT.lastIndex = end;
  const digits = PROSE_PORT.exec(text)?.[1];
  const port = digits === undefined ? undefined : parsePort(digits);
  return port === undefined || port < 1 ? undefined : port;
}

/** Returns the port as a number, or undefined when it is above 65535. */
export function parsePort(text: string): number | undefined {
  const port = Number(text);
  return Number.isInteger(port) && port <= 65535 ? port : undefined;
}

/**
 * Finds `\\host\share` and WebDAV `\\host@port\share` paths and reads their host: an address
 * with a port gives an ip-port indicator, and a domain a `port:N` tag.
 */
export function scanUncPaths(scan: LineScan, settings: ScanSettings): void {
  const pattern = /(?<![\\\w])\\\\([^\\\s@/]+?)(?:@SSL)?(?:@(\d+))?(?=\\|\s|$)/gi;
  for (const match of scan.work.read().matchAll(pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    blank(scan, start, end);
    const host = match[1] ?? '';
    const tags = match[2] !== undefined ? [`port:${match[2]}`] : [];
    const checked = checkHost(host);

    if (checked.kind === 'invalid') {
      drop(scan, checked.reason, host);
    } else if (checked.kind === 'domain') {
      const reason = fangedLinkDropReason(scan, settings, { start, end, host, path: '' });
      if (reason) drop(scan, reason, host);
      else accept(scan, 'domain', host, start + 2, { tags });
    } else if (match[2] !== undefined && parsePort(match[2]) !== undefined) {
      accept(scan, 'ip-port', `${host}:${match[2]}`, start + 2, { address: checked.canonical });
    } else {
      accept(scan, 'ip', host, start + 2, { address: checked.canonical, tags });
    }
  }
}

/**
 * Finds e-mail addresses. A sender's domain is usually a free mail provider or a compromised
 * mailbox, so it is dropped unless `keepEmailDomains` is set.
 */
export function scanEmails(scan: LineScan, settings: ScanSettings): void {
  // At most 127 labels, as in DOMAIN_PATTERN.
  const pattern = /(?<![\w.+%-])[\w.%+-]+@((?:[\p{L}\p{N}_-]+\.){1,127}[\p{L}\p{N}-]+)/gu;
  for (const match of scan.work.read().matchAll(pattern)) {
    const domain = match[1] ?? '';
    blank(scan, match.index, match.index + match[0].length);
    if (settings.keepEmailDomains && checkDomain(domain).kind === 'domain') {
      accept(scan, 'domain', domain, match.index + match[0].length - domain.length, {
        tags: ['email-domain'],
      });
    } else {
      drop(scan, 'email-address', match[0]);
    }
  }
}

/** Finds IPv6 addresses, bracketed with an optional port (`[2001:db8::1]:443`) or bare. */
export function scanIpv6(scan: LineScan, settings: ScanSettings): void {
  const bracketed = /\[([0-9A-Fa-f:.]+)\](?::(\d+))?/g;
  for (const match of scan.work.read().matchAll(bracketed)) {
    readIpv6(scan, settings, match.index, match[0].length, match[1] ?? '', match[2]);
  }
  // NOTE: in a bare IPv6 address followed by `:port`, the port looks like one more group, so
  // bare IPv6 text never yields an ip-port indicator. Only the bracketed form does.
  const text = scan.work.read();
  for (const run of text.matchAll(IPV6_RUN)) {
    const length = bareIpv6Length(text, run.index, run[0]);
    if (length > 0) {
      const address = run[0].slice(0, length);
      readIpv6(scan, settings, run.index, length, address, undefined);
    }
  }
}

/** A run of hex digits, colons and dots that no word character, colon or dot precedes. */
const IPV6_RUN = /(?<![\w:.])[0-9A-Fa-f:.]+/g;

/**
 * Returns the length of the bare IPv6 candidate at the start of `run`, or 0 when there is none.
 * The candidate is the longest prefix that ends before a dot or before the end of the run, does
 * not end in a dot, is not followed by a word character, and contains at least two colons.
 *
 * This finds what `/[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?<!\.)(?![\w:])/` finds at the
 * run's start, in one pass from the end. That regex backtracks over every pair of colons, so a
 * long run such as `a:a:a:...:ag` took cubic time.
 */
function bareIpv6Length(text: string, start: number, run: string): number {
  // The character after the run is no hex digit, colon or dot, so it only needs to be no word
  // character. Inside the run, a dot is the only character that is neither.
  let end = /\w/.test(text[start + run.length] ?? '') ? run.lastIndexOf('.') : run.length;
  while (end > 0 && run[end - 1] === '.') end--;
  if (end <= 0) return 0;

  const firstColon = run.indexOf(':');
  const secondColon = firstColon === -1 ? -1 : run.indexOf(':', firstColon + 1);
  return secondColon !== -1 && secondColon < end ? end : 0;
}

function readIpv6(
  scan: LineScan,
  settings: ScanSettings,
  start: number,
  length: number,
  address: string,
  portText: string | undefined,
): void {
  if (!looksLikeIpv6(address)) return;
  blank(scan, start, start + length);
  const canonical = checkIpv6(address);

  if (!canonical) {
    if (!spanIsDefanged(scan.line, start, start + length)) {
      return drop(scan, 'invalid-address', address);
    }
    return reject(
      scan,
      settings,
      'INVALID_IP_ADDRESS',
      `Invalid IPv6 address ${quoteValue(address)}: expected eight groups of hex digits, or fewer with "::".`,
    );
  }
  if (portText === undefined) return accept(scan, 'ip', address, start, { address: canonical });

  if (parsePort(portText) === undefined) return rejectPort(scan, settings, address, portText);
  accept(scan, 'ip-port', `[${address}]:${portText}`, start, { address: canonical });
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
 * The labels that follow an address which starts a host name, as in `4.3.2.1.in-addr.arpa`.
 * The count is bounded as in DOMAIN_PATTERN. A longer match would be more than 253 characters,
 * so it would not be a domain either.
 */
const HOST_NAME_REST = /[.-][\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+){0,127}/uy;

/** The prefix length of a CIDR block after its address, as in `10.0.0.0/8`. */
const CIDR_PREFIX = /\/(\d{1,2})(?!\d)/y;

/**
 * Matches a sticky pattern at `index` of `text`. Scanners use it to look at the text right after
 * a match without copying the rest of the line.
 */
export function execAt(pattern: RegExp, text: string, index: number): RegExpExecArray | null {
  pattern.lastIndex = index;
  return pattern.exec(text);
}

/**
 * Finds dotted IPv4 addresses with an optional `:port`. An address written as
 * `1.2.3.4 port 80` (Unit 42 style) is an ip-port indicator too. A live dotted quad without a
 * port that reads as a version number (see `versionNumberKind`) is dropped as `version-number`.
 */
export function scanIpv4(scan: LineScan, settings: ScanSettings): void {
  const pattern = /(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?::(\d+))?(?!\w|\.\d)/g;
  // This pass blanks only its own matches, so the text before and after each match reads as in
  // `text`, the matches of this pass included.
  const text = scan.work.read();
  let versionListEnd = -1;
  for (const match of text.matchAll(pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    const address = match[1] ?? '';
    const portText = match[2];
    // An address that starts a host name, such as `34.1.2.3.bc.googleusercontent.com`,
    // `4.3.2.1.in-addr.arpa` or `9.8.7.6-static.example.com`, is left to the domain scanner. A
    // sentence that goes on after the address without a space (`1.2.3.4.Next`) is no name.
    if (portText === undefined) {
      const rest = execAt(HOST_NAME_REST, text, end)?.[0];
      const sentence = rest !== undefined && /^\.\p{Lu}\p{Ll}/u.test(rest);
      if (rest !== undefined && !sentence && checkDomain(address + rest).kind === 'domain')
        continue;
    }
    blank(scan, start, end);
    // A CIDR block is many addresses; the first alone would be the wrong indicator. A /32 block
    // is one address, which is hunted as written without its prefix.
    const prefix = portText === undefined ? execAt(CIDR_PREFIX, text, end) : null;
    if (prefix?.[1] === '32') blank(scan, end, end + prefix[0].length);
    else if (prefix) {
      blank(scan, end, end + prefix[0].length);
      drop(scan, 'cidr-range', address + prefix[0]);
      const message =
        `Left out the address block ${quoteValue(address + prefix[0])}: huntpack hunts single ` +
        'addresses, and the first address alone would stand for the whole block. List the ' +
        'addresses to hunt them.';
      scan.warnings.push({ ...issue(scan, settings, 'CIDR_RANGE', message), severity: 'info' });
      continue;
    }
    const canonical = checkIpv4(address);

    if (!canonical) {
      if (!spanIsDefanged(scan.line, start, end)) {
        drop(scan, 'invalid-address', address);
        continue;
      }
      const message = `Invalid IPv4 address ${quoteValue(address)}: expected four numbers from 0 to 255 without leading zeros.`;
      reject(scan, settings, 'INVALID_IP_ADDRESS', message);
    } else if (portText !== undefined) {
      if (parsePort(portText) === undefined) rejectPort(scan, settings, address, portText);
      else accept(scan, 'ip-port', `${address}:${portText}`, start, { address: canonical });
    } else {
      const prosePort = prosePortAfter(text, end);
      const version =
        prosePort === undefined && !spanIsDefanged(scan.line, start, end)
          ? versionNumberKind(text, start, versionListEnd)
          : undefined;
      if (prosePort !== undefined) {
        accept(scan, 'ip-port', `${address}:${prosePort}`, start, { address: canonical });
      } else if (version !== undefined) {
        drop(scan, 'version-number', address);
        if (version === 'after-word') versionListEnd = end;
      } else {
        accept(scan, 'ip', address, start, { address: canonical });
      }
    }
  }
}

/**
 * A domain name with an optional `:port`. The last label must contain a letter. A look-ahead
 * checks that, because `[...]*\p{L}[...]*` would try every letter of a long label that fails to
 * match, in quadratic time.
 *
 * The labels before the last are at most 127, the most that a name of 253 characters can have.
 * V8 keeps one backtracking entry per repetition of a group, so an unbounded `(...)+` overflows
 * the stack on a line of a few million `a.` (Node.js 20). A run with more labels is no domain
 * and is left out without a drop.
 */
const DOMAIN_PATTERN =
  /(?<![\p{L}\p{N}_.@/\\-])((?:[\p{L}\p{N}_-]+\.){1,127}(?=[\p{N}_-]*\p{L})[\p{L}\p{N}_-]+)(?::(\d+))?(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}_-])/gu;

/**
 * Finds domain names, with an optional `:port` that becomes a `port:N` tag. Names whose last
 * label is not a known TLD (`setup.exe`) are dropped but not blanked, so a hash written as a file
 * name (`<md5>.exe`) is still found.
 *
 * NOTE: a URL written without a scheme (`evil[.]com/gate.php`) yields only its domain, because
 * adding a scheme the writer did not give would invent part of the indicator.
 */
export function scanDomains(scan: LineScan, settings: ScanSettings): void {
  for (const match of scan.work.read().matchAll(DOMAIN_PATTERN)) {
    const start = match.index;
    const end = start + match[0].length;
    const host = match[1] ?? '';
    const portText = match[2];
    const checked = checkDomain(host);
    if (checked.kind !== 'domain') {
      const reason = checked.kind === 'invalid' ? checked.reason : 'invalid-domain';
      drop(scan, reason, host);
      if (reason === 'unknown-tld' && spanIsDefanged(scan.line, start, end)) {
        scan.warnings.push(unhuntedNameIssue(scan, settings, host));
      }
      continue;
    }

    blank(scan, start, end);
    if (portText !== undefined && parsePort(portText) === undefined) {
      rejectPort(scan, settings, host, portText);
      continue;
    }
    const reason = fangedLinkDropReason(scan, settings, { start, end, host, path: '' });
    const defanged = spanIsDefanged(scan.line, start, end);
    if (reason) {
      drop(scan, reason, host);
    } else if (!defanged && portText === undefined && AMBIGUOUS_TLDS.has(checked.tld)) {
      drop(scan, 'ambiguous-tld', host);
      // Named in the issues, so that an analyst can defang a real indicator and read it again.
      const message =
        `Left out ${quoteValue(host)}: .${checked.tld} is also a file extension or a word, so a ` +
        `name written live with it may not be a domain. Write it defanged, as ` +
        `${quoteValue(host.replaceAll('.', '[.]'))}, to hunt it.`;
      scan.warnings.push({ ...issue(scan, settings, 'AMBIGUOUS_TLD', message), severity: 'info' });
    } else {
      accept(scan, 'domain', host, start, { tags: portText ? [`port:${portText}`] : [] });
    }
  }
}

/**
 * Top-level domains outside the public DNS root that reports name, with the network that
 * resolves them instead.
 */
const PRIVATE_NETWORK_TLDS: Readonly<Record<string, { service: string; traffic: string }>> = {
  onion: { service: 'a Tor onion service, reached only through Tor', traffic: 'Tor' },
  i2p: { service: 'an I2P site, reached only through the I2P network', traffic: 'I2P' },
};

/**
 * Explains why a defanged name with an unknown top-level domain is not hunted. The writer marked
 * it as an indicator, so the analyst needs to hear that it was left out. A Tor or I2P name is a
 * host for sure and gets a warning. Any other name gets an info issue, because writers defang
 * file names too (`NotaFiscal[.]pdf`).
 */
function unhuntedNameIssue(scan: LineScan, settings: ScanSettings, host: string): HuntpackIssue {
  const tld = host.slice(host.lastIndexOf('.') + 1).toLowerCase();
  const network = PRIVATE_NETWORK_TLDS[tld];
  const name = quoteValue(defangDots(host));
  if (network !== undefined) {
    const message =
      `Left out the defanged name ${name}: it is ${network.service}, so DNS and proxy logs ` +
      `do not show it by name and a domain hunt cannot match it. Hunt ${network.traffic} ` +
      `traffic from your hosts instead.`;
    return issue(scan, settings, 'DEFANGED_NAME_NOT_HUNTED', message);
  }
  const message =
    `Left out the defanged name ${name}: .${tld} is not an IANA top-level domain, so it is not ` +
    `hunted as a domain. A file name needs nothing more. A host name under .${tld} does not ` +
    `resolve in public DNS, so check it for a typo and hunt it another way.`;
  return { ...issue(scan, settings, 'DEFANGED_NAME_NOT_HUNTED', message), severity: 'info' };
}

/**
 * Finds MD5, SHA-1 and SHA-256 hashes: whole runs of hex digits between characters that are not
 * letters or digits, of exactly 32, 40 or 64 digits. A longer run is never cut down to a shorter
 * hash. Runs of decimal digits only are dropped, since those are numbers, not digests.
 */
export function scanHashes(scan: LineScan): void {
  const hashTypes: Record<number, MentionType> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };
  // A run shorter than 32 digits is skipped here, not in the pattern, because V8 overflows the
  // stack on `[0-9A-Fa-f]{32,}` over a run of a few million digits (Node.js 20) but not on `+`.
  for (const match of scan.work.read().matchAll(/(?<![0-9A-Za-z])[0-9A-Fa-f]+(?![0-9A-Za-z])/g)) {
    if (match[0].length < 32) continue;
    const type = hashTypes[match[0].length];
    blank(scan, match.index, match.index + match[0].length);
    if (!type) drop(scan, 'unsupported-hex-length', match[0]);
    else if (/^\d+$/.test(match[0])) drop(scan, 'digits-only-hex', match[0]);
    else accept(scan, type, match[0], match.index);
  }
}
