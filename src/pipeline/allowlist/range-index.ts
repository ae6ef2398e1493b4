/**
 * A lookup structure for CIDR lists: the ranges of each address family sorted by start, searched
 * with a binary search, so a lookup costs O(log n) plus the nesting depth.
 *
 * CIDR blocks either nest or do not overlap at all. Sorted by start (wider blocks first on a tie),
 * each block's enclosing block comes before it, so every block stores the index of its nearest
 * enclosing block. A lookup finds the last block that starts at or below the address, then walks
 * up the enclosing blocks until one contains the address. The first one found is the narrowest
 * block that contains it. Duplicate entries nest inside each other and cost one step each.
 */
import {
  embeddedIPv4,
  parseIpNumber,
  parseIpRange,
  type IpNumber,
  type IpRange,
} from './ip-number.js';

interface FamilyIndex<T extends number | bigint> {
  firsts: T[];
  lasts: T[];
  /** Index of the nearest enclosing range, or -1. */
  parents: number[];
  /** The list entry each range came from, as written in the list. */
  entries: string[];
}

interface PendingRange<T> {
  first: T;
  last: T;
  entry: string;
}

/** Ranges of both address families, built once from list entries. */
export class RangeIndex {
  private readonly ipv4: FamilyIndex<number>;
  private readonly ipv6: FamilyIndex<bigint>;
  /** Entries that are neither an address nor a CIDR block, in list order. */
  readonly invalidEntries: string[];

  constructor(entries: Iterable<string>) {
    const ipv4: PendingRange<number>[] = [];
    const ipv6: PendingRange<bigint>[] = [];
    this.invalidEntries = [];
    for (const entry of entries) {
      const range: IpRange | undefined = parseIpRange(entry.trim());
      if (!range) this.invalidEntries.push(entry);
      else if (range.family === 'ipv4') ipv4.push({ first: range.first, last: range.last, entry });
      else ipv6.push({ first: range.first, last: range.last, entry });
    }
    this.ipv4 = buildFamilyIndex(ipv4);
    this.ipv6 = buildFamilyIndex(ipv6);
  }

  /** Number of ranges in the index. */
  get size(): number {
    return this.ipv4.firsts.length + this.ipv6.firsts.length;
  }

  /**
   * Returns the entry of the narrowest range that contains the address, or undefined. An
   * IPv4-mapped or NAT64 IPv6 address is also looked up as its IPv4 address.
   */
  lookup(address: IpNumber): string | undefined {
    if (address.family === 'ipv4') return lookupFamily(this.ipv4, address.value);
    const direct = lookupFamily(this.ipv6, address.value);
    if (direct !== undefined) return direct;
    const ipv4 = embeddedIPv4(address.value);
    return ipv4 === undefined ? undefined : lookupFamily(this.ipv4, ipv4);
  }

  /** Parses the address text and looks it up; returns undefined for text that is no address. */
  lookupText(address: string): string | undefined {
    const parsed = parseIpNumber(address);
    return parsed ? this.lookup(parsed) : undefined;
  }
}

function buildFamilyIndex<T extends number | bigint>(ranges: PendingRange<T>[]): FamilyIndex<T> {
  ranges.sort((a, b) => compare(a.first, b.first) || compare(b.last, a.last));
  const index: FamilyIndex<T> = { firsts: [], lasts: [], parents: [], entries: [] };
  // Open ranges that may still enclose the next one, outermost first.
  const open: number[] = [];
  for (const [i, range] of ranges.entries()) {
    while (open.length > 0 && index.lasts[open[open.length - 1]!]! < range.first) open.pop();
    index.firsts.push(range.first);
    index.lasts.push(range.last);
    index.parents.push(open.length > 0 ? open[open.length - 1]! : -1);
    index.entries.push(range.entry);
    open.push(i);
  }
  return index;
}

function lookupFamily<T extends number | bigint>(
  index: FamilyIndex<T>,
  address: T,
): string | undefined {
  let low = 0;
  let high = index.firsts.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (index.firsts[middle]! <= address) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  while (found >= 0 && index.lasts[found]! < address) found = index.parents[found]!;
  return found >= 0 ? index.entries[found] : undefined;
}

function compare<T extends number | bigint>(a: T, b: T): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
