/**
 * One index over the entries of every built-in list, so that checking an indicator costs one map
 * probe per label of its host, or one map probe and one binary search for its address, however
 * many lists there are. Each list is added the first time an indicator of a kind it applies to
 * is checked.
 *
 * A lookup finds, for every list at once, the entry that the list's own matcher in `matchers.ts`
 * would return, and the caller picks the first list in check order. Per list:
 * - address: the narrowest range that contains the address. A single address (`/32`) is the
 *   narrowest, so those sit in a hash map and only wider blocks need the sorted ranges. An IPv6
 *   address that only translates to IPv4 (`embeddedIPv4`) is looked up as that IPv4 address in
 *   lists where its IPv6 form matches nothing.
 * - host: an exact entry for the host, else the nearest parent with a subdomain entry. Lists with
 *   `registrantBoundary` accept a parent only inside the host's registered domain.
 * - value: string lists compare a hash, or the whole URL of a URL indicator, when no host entry
 *   matched.
 * - substring and regex lists keep their own matchers and are scanned one by one.
 */
import { INDICATOR_KINDS, type IndicatorKind } from '../../indicators/model.js';
import { embeddedIPv4, parseIpRange, type IpNumber } from './ip-number.js';
import type { CompiledList, Probe } from './types.js';

/** The names a host entry matches: itself, its subdomains, both, or its subdomains in URLs only. */
export type HostMatch = 'exact' | 'subdomains' | 'exact-and-subdomains' | 'url-subdomains';

const HOST_MATCH_CODES: Record<HostMatch, number> = {
  exact: 0,
  subdomains: 1,
  'exact-and-subdomains': 2,
  'url-subdomains': 3,
};
const EXACT = HOST_MATCH_CODES.exact;
const SUBDOMAINS = HOST_MATCH_CODES.subdomains;
const URL_SUBDOMAINS = HOST_MATCH_CODES['url-subdomains'];
/** The match code of value and address records, which have no host match. */
const NO_HOST_MATCH = -1;
const END_OF_CHAIN = -1;

/** Returns the bit mask of a set of indicator kinds, one bit per kind. */
export function kindMask(kinds: Iterable<IndicatorKind>): number {
  let mask = 0;
  for (const kind of kinds) mask |= 1 << INDICATOR_KINDS.indexOf(kind);
  return mask;
}

/** A `Probe` with what the index compares besides: the kinds and the value of string lists. */
export interface IndexProbe extends Probe {
  /** Bit mask of the kinds whose lists apply (see {@link kindMask}). */
  kinds: number;
  /**
   * The lower-case text that string lists compare when no host entry of theirs matches: the
   * whole URL of a URL on a named host, the value of any indicator without a host name, and
   * undefined for a domain.
   */
  valueKey?: string;
}

/** For each list, the entry that matched; filled by {@link CombinedIndex.lookup}. */
export class ListMatches {
  private readonly entries: Array<string | undefined> = [];
  /** Ids of the lists with an entry, in the order found. */
  readonly lists: number[] = [];

  /** Records the entry for a list that has none yet; the first one found is the list's match. */
  add(list: number, entry: string): void {
    if (this.entries[list] !== undefined) return;
    this.entries[list] = entry;
    this.lists.push(list);
  }

  has(list: number): boolean {
    return this.entries[list] !== undefined;
  }

  entry(list: number): string | undefined {
    return this.entries[list];
  }

  clear(): void {
    for (const list of this.lists) this.entries[list] = undefined;
    this.lists.length = 0;
  }
}

interface PendingRange<T extends number | bigint> {
  first: T;
  last: T;
  record: number;
}

/**
 * Ranges of one address family sorted by start, wider first on a tie. CIDR blocks nest or do not
 * overlap, so each block stores its nearest enclosing block, and the blocks that contain an
 * address are the last block that starts at or below it and its enclosing blocks, narrowest first.
 */
class NestedRanges<T extends number | bigint> {
  private readonly firsts: T[] = [];
  private readonly lasts: T[] = [];
  /** Index of the nearest enclosing block, or -1. */
  private readonly parents: number[] = [];
  private readonly records: number[] = [];

  constructor(pending: PendingRange<T>[]) {
    // Array.prototype.sort is stable, so equal blocks keep list order: the later one nests in the
    // earlier one and is found first, as in `RangeIndex`.
    const sorted = [...pending].sort(
      (a, b) => compare(a.first, b.first) || compare(b.last, a.last),
    );
    const open: number[] = [];
    for (const [i, range] of sorted.entries()) {
      while (open.length > 0 && this.lasts[open[open.length - 1]!]! < range.first) open.pop();
      this.firsts.push(range.first);
      this.lasts.push(range.last);
      this.parents.push(open.length > 0 ? open[open.length - 1]! : -1);
      this.records.push(range.record);
      open.push(i);
    }
  }

  /**
   * Returns the position of the narrowest block that contains the address, or -1. The blocks
   * that enclose it, found with {@link enclosing}, contain the address too.
   */
  narrowest(address: T): number {
    let low = 0;
    let high = this.firsts.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (this.firsts[middle]! <= address) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    while (found >= 0 && this.lasts[found]! < address) found = this.parents[found]!;
    return found;
  }

  /** Returns the position of the nearest block that encloses the one at `position`, or -1. */
  enclosing(position: number): number {
    return this.parents[position]!;
  }

  record(position: number): number {
    return this.records[position]!;
  }
}

/** Writes an IPv4 address in strict dotted-quad form, as `parseIPv4Number` accepts it. */
function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

function compare<T extends number | bigint>(a: T, b: T): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * Adds to `keys` every key that a lookup of the probe reads from the host, value and address
 * maps: the host and its parent names, the lower-case value, and the dotted-quad IPv4 address.
 */
export function addLookupKeys(probe: IndexProbe, keys: Set<string>): void {
  const host = probe.host;
  if (host !== undefined) {
    keys.add(host);
    for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
      keys.add(host.slice(dot + 1));
    }
  }
  const address = probe.address;
  if (address) {
    const ipv4 = address.family === 'ipv4' ? address.value : embeddedIPv4(address.value);
    if (ipv4 !== undefined) keys.add(formatIPv4(ipv4));
  }
  const value = probe.valueKey;
  if (value !== undefined) keys.add(value);
}

/** The entries of the built-in lists, keyed by host, value and address. */
export class CombinedIndex {
  // A record is one entry of one list under one key. Records that share a key form a chain in
  // the order they were added, through `recordNext`.
  private readonly recordList: number[] = [];
  private readonly recordEntry: string[] = [];
  private readonly recordMatch: number[] = [];
  private readonly recordNext: number[] = [];

  private readonly hosts = new Map<string, number>();
  private readonly values = new Map<string, number>();
  /** Single IPv4 addresses, keyed by dotted-quad text. */
  private readonly ipv4Addresses = new Map<string, number>();
  private readonly pendingIpv4: PendingRange<number>[] = [];
  private readonly pendingIpv6: PendingRange<bigint>[] = [];
  private ipv4Ranges: NestedRanges<number> | undefined;
  private ipv6Ranges: NestedRanges<bigint> | undefined;
  private readonly scanned: Array<{ list: number; matcher: CompiledList }> = [];

  /** Kind mask and registered-domain rule of each list, by list id. */
  private readonly listKinds: number[] = [];
  private readonly listBoundary: boolean[] = [];
  /** Kinds of the lists with value entries, so other probes skip making a lower-case value. */
  private valueKinds = 0;

  /**
   * @param wanted when given, the only keys that host, value and single-address entries are
   *   kept under (see {@link addLookupKeys}). An index for one batch of indicators so skips the
   *   map inserts of the many entries that no lookup of the batch reads. CIDR blocks and
   *   scanned lists are kept whole.
   */
  constructor(private readonly wanted?: ReadonlySet<string>) {}

  /**
   * Declares a list before its entries are added. `registrantBoundary` limits its subdomain
   * entries to the host's registered domain, as `MatcherOptions` describes.
   */
  addList(list: number, kinds: ReadonlySet<IndicatorKind>, registrantBoundary: boolean): void {
    this.listKinds[list] = kindMask(kinds);
    this.listBoundary[list] = registrantBoundary;
  }

  /** Adds a host entry under a lower-case key; a list's first entry for a key and match wins. */
  addHost(list: number, key: string, match: HostMatch, entry: string): void {
    if (this.wanted && !this.wanted.has(key)) return;
    this.addToChain(this.hosts, key, list, HOST_MATCH_CODES[match], entry, false);
  }

  /** Adds a value entry of a string list under its lower-case text; the list's first one wins. */
  addValue(list: number, key: string, entry: string): void {
    this.valueKinds |= this.listKinds[list]!;
    if (this.wanted && !this.wanted.has(key)) return;
    this.addToChain(this.values, key, list, NO_HOST_MATCH, entry, false);
  }

  /**
   * Adds an address or CIDR block entry; an entry that is neither never matches. Of equal blocks
   * in one list, the last one wins, as in `RangeIndex`.
   */
  addRange(list: number, entry: string): void {
    const text = entry.trim();
    // A strict dotted-quad address is written the way `formatIPv4` writes it, so the text itself
    // is its key. Text that only looks like one never equals a key that lookups build, so it
    // matches nothing, as in `RangeIndex`, without the cost of parsing every entry.
    if (!text.includes('/') && !text.includes(':')) {
      if (this.wanted && !this.wanted.has(text)) return;
      this.addToChain(this.ipv4Addresses, text, list, NO_HOST_MATCH, entry, true);
      return;
    }
    const range = parseIpRange(text);
    if (!range) return;
    if (range.family === 'ipv4' && range.first === range.last) {
      const key = formatIPv4(range.first);
      if (this.wanted && !this.wanted.has(key)) return;
      this.addToChain(this.ipv4Addresses, key, list, NO_HOST_MATCH, entry, true);
      return;
    }
    const record = this.addRecord(list, NO_HOST_MATCH, entry);
    if (range.family === 'ipv4') {
      this.pendingIpv4.push({ first: range.first, last: range.last, record });
      this.ipv4Ranges = undefined;
    } else {
      this.pendingIpv6.push({ first: range.first, last: range.last, record });
      this.ipv6Ranges = undefined;
    }
  }

  /** Adds a list that is matched on its own, such as a substring or regex list. */
  addScanned(list: number, matcher: CompiledList): void {
    this.scanned.push({ list, matcher });
  }

  /** Adds to `matches` the entry of every list that applies to the probe's kinds and matches it. */
  lookup(probe: IndexProbe, matches: ListMatches): void {
    if (probe.address) this.lookupAddress(probe.address, probe.kinds, matches);
    if (probe.host !== undefined) this.lookupHost(probe, matches);
    if ((this.valueKinds & probe.kinds) !== 0) {
      const key = probe.valueKey;
      if (key !== undefined) this.visitChain(this.values.get(key), probe.kinds, matches);
    }
    for (const { list, matcher } of this.scanned) {
      if ((this.listKinds[list]! & probe.kinds) === 0 || matches.has(list)) continue;
      const entry = matcher.match(probe);
      if (entry !== undefined) matches.add(list, entry);
    }
  }

  private lookupAddress(address: IpNumber, kinds: number, matches: ListMatches): void {
    if (address.family === 'ipv4') {
      this.lookupIpv4(address.value, kinds, matches);
      return;
    }
    this.ipv6Ranges ??= new NestedRanges(this.pendingIpv6);
    const ranges = this.ipv6Ranges;
    for (let at = ranges.narrowest(address.value); at >= 0; at = ranges.enclosing(at)) {
      this.visitRecord(ranges.record(at), kinds, matches);
    }
    const ipv4 = embeddedIPv4(address.value);
    if (ipv4 !== undefined) this.lookupIpv4(ipv4, kinds, matches);
  }

  private lookupIpv4(address: number, kinds: number, matches: ListMatches): void {
    this.visitChain(this.ipv4Addresses.get(formatIPv4(address)), kinds, matches);
    this.ipv4Ranges ??= new NestedRanges(this.pendingIpv4);
    const ranges = this.ipv4Ranges;
    for (let at = ranges.narrowest(address); at >= 0; at = ranges.enclosing(at)) {
      this.visitRecord(ranges.record(at), kinds, matches);
    }
  }

  private lookupHost(probe: IndexProbe, matches: ListMatches): void {
    const host = probe.host!;
    for (let record = this.hosts.get(host) ?? END_OF_CHAIN; record !== END_OF_CHAIN;) {
      const match = this.recordMatch[record]!;
      if (match !== SUBDOMAINS && match !== URL_SUBDOMAINS) {
        this.visitRecord(record, probe.kinds, matches);
      }
      record = this.recordNext[record]!;
    }
    for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
      const parent = host.slice(dot + 1);
      let record = this.hosts.get(parent) ?? END_OF_CHAIN;
      for (; record !== END_OF_CHAIN; record = this.recordNext[record]!) {
        const match = this.recordMatch[record]!;
        if (match === EXACT || (match === URL_SUBDOMAINS && probe.url === undefined)) continue;
        const list = this.recordList[record]!;
        if ((this.listKinds[list]! & probe.kinds) === 0 || matches.has(list)) continue;
        // Read only when a subdomain entry is met, because it needs the Public Suffix List.
        if (this.listBoundary[list] && parent.length < (probe.minSuffixLength ?? Infinity)) {
          continue;
        }
        matches.add(list, this.recordEntry[record]!);
      }
    }
  }

  private visitChain(head: number | undefined, kinds: number, matches: ListMatches): void {
    for (let record = head ?? END_OF_CHAIN; record !== END_OF_CHAIN;) {
      this.visitRecord(record, kinds, matches);
      record = this.recordNext[record]!;
    }
  }

  private visitRecord(record: number, kinds: number, matches: ListMatches): void {
    const list = this.recordList[record]!;
    if ((this.listKinds[list]! & kinds) !== 0) matches.add(list, this.recordEntry[record]!);
  }

  private addRecord(list: number, match: number, entry: string): number {
    const record = this.recordList.length;
    this.recordList.push(list);
    this.recordEntry.push(entry);
    this.recordMatch.push(match);
    this.recordNext.push(END_OF_CHAIN);
    return record;
  }

  /**
   * Appends a record to the chain of a key, unless the list already has one there with the same
   * match: then the old entry stays, or with `replace` the new entry takes its place.
   */
  private addToChain<K>(
    map: Map<K, number>,
    key: K,
    list: number,
    match: number,
    entry: string,
    replace: boolean,
  ): void {
    const head = map.get(key);
    if (head === undefined) {
      map.set(key, this.addRecord(list, match, entry));
      return;
    }
    let record: number = head;
    for (;;) {
      if (this.recordList[record] === list && this.recordMatch[record] === match) {
        if (replace) this.recordEntry[record] = entry;
        return;
      }
      const next: number = this.recordNext[record]!;
      if (next === END_OF_CHAIN) break;
      record = next;
    }
    this.recordNext[record] = this.addRecord(list, match, entry);
  }
}
