/**
 * Finds IPv4 and IPv6 addresses, with a port when one is written, in one refanged line of free
 * text.
 */
import ipaddr from 'ipaddr.js';
import { quoteValue } from '../errors.js';
import { spanIsDefanged } from './text-refang.js';
import { checkDomain, checkIpv4, checkIpv6, looksLikeIpv6 } from './text-hosts.js';
import { versionNumberKind } from './text-versions.js';
import {
  accept,
  blank,
  drop,
  execAt,
  issue,
  parsePort,
  reject,
  rejectPort,
  type LineScan,
  type ScanSettings,
} from './text-scan.js';

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

/** Finds IPv6 addresses, bracketed with an optional port (`[2001:db8::1]:443`) or bare. */
export function scanIpv6(scan: LineScan, settings: ScanSettings): void {
  const bracketed = /\[([0-9A-Fa-f:.]+)(%[\w.~-]+)?\](?::(\d+))?/g;
  const bracketedText = scan.work.read();
  for (const match of bracketedText.matchAll(bracketed)) {
    const [written, address = '', zone, portText] = match;
    const found = { start: match.index, length: written.length, address, zone };
    readIpv6(scan, settings, bracketedText, found, portText);
  }
  // NOTE: in a bare IPv6 address followed by `:port`, the port looks like one more group, so
  // bare IPv6 text never yields an ip-port indicator. Only the bracketed form does.
  const text = scan.work.read();
  let readEnd = -1;
  for (const run of text.matchAll(IPV6_RUN)) {
    // The second address of a range was taken with the first one.
    if (run.index < readEnd) continue;
    const addressLength = bareIpv6Length(text, run.index, run[0]);
    if (addressLength > 0) {
      const address = run[0].slice(0, addressLength);
      const zone = execAt(IPV6_ZONE, text, run.index + addressLength)?.[0];
      const length = addressLength + (zone?.length ?? 0);
      const found = { start: run.index, length, address, zone };
      readEnd = readIpv6(scan, settings, text, found, undefined);
    }
  }
}

/** A run of hex digits, colons and dots that no word character, colon or dot precedes. */
const IPV6_RUN = /(?<![\w:.])[0-9A-Fa-f:.]+/g;

/**
 * A zone id after an IPv6 address (`%eth0`, or `%25eth0` as RFC 6874 writes it in a URL), without
 * a dot that ends the sentence.
 */
const IPV6_ZONE = /%[\w~-]+(?:\.[\w~-]+)*/y;

/** One IPv6 candidate: the span it takes in the line, its address and its zone id as written. */
interface Ipv6Candidate {
  start: number;
  length: number;
  address: string;
  zone: string | undefined;
}

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

/**
 * Reads one IPv6 candidate and returns the offset where the text it took ends, which is past the
 * candidate when a range follows it. `text` is the working copy as its pass read it, which only
 * the pass's own matches have changed since, so the text after the candidate reads as written.
 */
function readIpv6(
  scan: LineScan,
  settings: ScanSettings,
  text: string,
  found: Ipv6Candidate,
  portText: string | undefined,
): number {
  const { start, length, address } = found;
  const end = start + length;
  if (!looksLikeIpv6(address)) return end;
  blank(scan, start, end);
  const canonical = checkIpv6(address);

  if (!canonical) {
    if (!spanIsDefanged(scan.line, start, end)) {
      drop(scan, 'invalid-address', address);
      return end;
    }
    const message = `Invalid IPv6 address ${quoteValue(address)}: expected eight groups of hex digits, or fewer with "::".`;
    reject(scan, settings, 'INVALID_IP_ADDRESS', message);
    return end;
  }
  if (found.zone !== undefined) warnZoneId(scan, settings, text.slice(start, end), found.zone);
  if (portText !== undefined) {
    if (parsePort(portText) === undefined) rejectPort(scan, settings, address, portText);
    else accept(scan, 'ip-port', `[${address}]:${portText}`, start, { address: canonical });
    return end;
  }

  const prefix = execAt(IPV6_PREFIX, text, end);
  if (prefix !== null) blank(scan, end, end + prefix[0].length);
  if (prefix !== null && prefix[1] !== '128') {
    dropBlock(scan, settings, address + prefix[0]);
    return end;
  }
  const range = prefix === null ? readIpv6Range(text, start, end, canonical) : undefined;
  if (range !== undefined && ipv6Prefix64(canonical) === ipv6Prefix64(range.last)) {
    blank(scan, start, range.end);
    dropRange(scan, settings, text.slice(start, range.end), range.size);
    return range.end;
  }
  if (range !== undefined) {
    const written = text.slice(start, range.end);
    warnAddressPair(scan, settings, written, { first: canonical, ...range }, '/64');
  }
  accept(scan, 'ip', address, start, { address: canonical });
  return end;
}

/**
 * Warns that an IPv6 address was read without its zone id. Feeds reject such a value with the
 * same code, but a report is prose, and the zone id does not change which host the address names.
 */
function warnZoneId(scan: LineScan, settings: ScanSettings, written: string, zone: string): void {
  const message =
    `Read ${quoteValue(written)} without its zone id ${quoteValue(zone)}: a zone id names a ` +
    'network interface on one host and is not part of the address that other hosts see.';
  scan.warnings.push(issue(scan, settings, 'IPV6_ZONE_ID', message));
}

/**
 * The end of an IPv6 address range after its first address: a dash, `to` or `through`, then a
 * whole address, or a dash with no spaces and the last group alone (`2001:db8::10-1f`), as in
 * RANGE_END for IPv4. The address is one run of hex digits and colons, checked by `checkIpv6`,
 * because a pattern with several runs that may contain colons backtracks in cubic time.
 */
const IPV6_RANGE_END =
  /(?:\s*(?<separator>[-\u2010-\u2015]|\s(?:to|through)\s)\s*(?<address>[0-9A-Fa-f]*:[0-9A-Fa-f:]*)|[-\u2010-\u2015](?<lastGroup>[0-9A-Fa-f]{1,4}))(?![\w:]|\.\d)/iy;

/** Returns an IPv6 address as a number. */
function ipv6Number(address: string): bigint {
  return ipaddr.IPv6.parse(address).parts.reduce((sum, part) => (sum << 16n) + BigInt(part), 0n);
}

/** Returns the first 64 bits of an IPv6 address, the network of a subnet. */
function ipv6Prefix64(address: string): bigint {
  return ipv6Number(address) >> 64n;
}

/**
 * Reads the IPv6 address range that starts with `first` at `start`, with the rules of
 * `readAddressRange`.
 */
function readIpv6Range(
  text: string,
  start: number,
  end: number,
  first: string,
): AddressRange | undefined {
  const match = execAt(IPV6_RANGE_END, text, end);
  if (match === null || namesConnectionEnds(text, start, match)) return undefined;

  const lastGroup = match.groups?.lastGroup;
  let last: string | undefined;
  if (lastGroup === undefined) {
    last = checkIpv6(match.groups?.address ?? '');
  } else {
    const parts = ipaddr.IPv6.parse(first).parts;
    parts[7] = parseInt(lastGroup, 16);
    last = new ipaddr.IPv6(parts).toRFC5952String();
  }
  if (last === undefined || ipv6Number(last) <= ipv6Number(first)) return undefined;
  const size = ipv6Number(last) - ipv6Number(first) + 1n;
  return { last, end: end + match[0].length, size };
}

/**
 * The labels that follow an address which starts a host name, as in `4.3.2.1.in-addr.arpa`.
 * The count is bounded as in DOMAIN_PATTERN. A longer match would be more than 253 characters,
 * so it would not be a domain either.
 */
const HOST_NAME_REST = /[.-][\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+){0,127}/uy;

/** The prefix length of an IPv6 block after its address, as in `2001:db8::/32`. */
const IPV6_PREFIX = /\/(\d{1,3})(?!\d)/y;

/**
 * Drops an address block, IPv4 or IPv6, with a CIDR_RANGE note. A block is many addresses, and
 * its first address alone would be the wrong indicator.
 */
function dropBlock(scan: LineScan, settings: ScanSettings, block: string): void {
  drop(scan, 'cidr-range', block);
  const message =
    `Left out the address block ${quoteValue(block)}: huntpack hunts single ` +
    'addresses, and the first address alone would stand for the whole block. List the ' +
    'addresses to hunt them.';
  scan.warnings.push({ ...issue(scan, settings, 'CIDR_RANGE', message), severity: 'info' });
}

/** The prefix length of a CIDR block after its address, as in `10.0.0.0/8`. */
const CIDR_PREFIX = /\/(\d{1,2})(?!\d)/y;

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
  let rangeEnd = -1;
  for (const match of text.matchAll(pattern)) {
    const start = match.index;
    // The second address of a range was taken with the first one.
    if (start < rangeEnd) continue;
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
      dropBlock(scan, settings, address + prefix[0]);
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
        // A version comes first, so `version 1.0.0.1-1.0.0.9` is two versions, not a range.
        drop(scan, 'version-number', address);
        if (version === 'after-word') versionListEnd = end;
      } else {
        const range = readAddressRange(text, start, end, canonical);
        if (range !== undefined && sameSlash16(canonical, range.last)) {
          rangeEnd = range.end;
          blank(scan, start, rangeEnd);
          dropRange(scan, settings, text.slice(start, rangeEnd), range.size);
        } else {
          if (range !== undefined) {
            const written = text.slice(start, range.end);
            warnAddressPair(scan, settings, written, { first: canonical, ...range }, '/16');
          }
          accept(scan, 'ip', address, start, { address: canonical });
        }
      }
    }
  }
}

/**
 * The end of an address range after its first address: a dash (`-`, `–`, `—`), `to` or
 * `through`, then a whole address, or a dash with no spaces and the last number alone
 * (`10.0.0.1-20`). With spaces, a number after a dash may be a count (`45.9.1.2 - 25 hosts`).
 */
const RANGE_END =
  /(?:\s*(?<separator>[-\u2010-\u2015]|\s(?:to|through)\s)\s*(?<address>\d{1,3}(?:\.\d{1,3}){3})|[-\u2010-\u2015](?<lastNumber>\d{1,3}))(?!\w|\.\d)/iy;

/** Returns an IPv4 address as a number. */
function ipv4Number(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** An address range written after its first address. */
interface AddressRange {
  last: string;
  /** Offset in the line where the range text ends. */
  end: number;
  /** Number of addresses from the first to `last`, both included. */
  size: bigint;
}

/**
 * Reads the address range that starts with `first` at `start`, or returns undefined when `first`
 * starts none. The end must be higher than `first`, so a dash between two addresses that could
 * not form a range (`45.9.1.20 - 45.9.1.10`) lists them. `from A to B` names the two ends of a
 * connection, so it is no range.
 */
function readAddressRange(
  text: string,
  start: number,
  end: number,
  first: string,
): AddressRange | undefined {
  const match = execAt(RANGE_END, text, end);
  if (match === null || namesConnectionEnds(text, start, match)) return undefined;

  const lastNumber = match.groups?.lastNumber;
  const last = checkIpv4(
    lastNumber === undefined
      ? (match.groups?.address ?? '')
      : first.slice(0, first.lastIndexOf('.') + 1) + lastNumber,
  );
  if (last === undefined || ipv4Number(last) <= ipv4Number(first)) return undefined;
  const size = BigInt(ipv4Number(last) - ipv4Number(first) + 1);
  return { last, end: end + match[0].length, size };
}

/** Returns true when a range match reads `from A to B`, which names the two ends of a connection. */
function namesConnectionEnds(text: string, start: number, match: RegExpExecArray): boolean {
  const isWord = /[a-z]/i.test(match.groups?.separator ?? '');
  return isWord && /\bfrom\s+$/i.test(text.slice(Math.max(0, start - 8), start));
}

/**
 * Returns true when two IPv4 addresses share their first two octets. Only such ends are read as
 * a range. Two addresses in different /16 networks joined by a dash (`91.1.1.1 – 185.2.2.2`)
 * more likely name two servers than a range of millions of addresses.
 */
function sameSlash16(first: string, last: string): boolean {
  return ipv4Number(first) >>> 16 === ipv4Number(last) >>> 16;
}

/** Two addresses that a text joins like a range, and the size of that range. */
interface AddressPair {
  first: string;
  last: string;
  size: bigint;
}

/**
 * Warns that two addresses joined like a range were read as two addresses, because their ends
 * lie in different networks of the size `network` (`/16` for IPv4, `/64` for IPv6).
 */
function warnAddressPair(
  scan: LineScan,
  settings: ScanSettings,
  written: string,
  pair: AddressPair,
  network: '/16' | '/64',
): void {
  const message =
    `Read ${quoteValue(written)} as two addresses, ${pair.first} and ${pair.last}, not as a ` +
    `range of ${pair.size} addresses: the two ends lie in different ${network} networks, so ` +
    'they more likely name two servers. If the source means the whole range, list the ' +
    'addresses to hunt.';
  scan.warnings.push(issue(scan, settings, 'ADDRESS_PAIR_NOT_RANGE', message));
}

/** Drops an address range with an ADDRESS_RANGE warning that names it and its size. */
function dropRange(scan: LineScan, settings: ScanSettings, range: string, size: bigint): void {
  drop(scan, 'address-range', range);
  const message =
    `Left out the address range ${quoteValue(range)} (${size} addresses): huntpack hunts ` +
    'single addresses, and its two ends alone would stand for the whole range. List the ' +
    'addresses to hunt them. If the report names two separate servers, write them as a list.';
  scan.warnings.push(issue(scan, settings, 'ADDRESS_RANGE', message));
}
