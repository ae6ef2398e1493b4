/**
 * Host name lookups for allowlists: exact names and "this name and its subdomains" entries in
 * hash maps, so a lookup costs one map probe per label of the host.
 */
import { domainToASCII } from 'node:url';

/** Host name entries of one list, keyed by lower-case name without leading or trailing dots. */
export class HostIndex {
  private readonly exact = new Map<string, string>();
  private readonly suffixes = new Map<string, string>();

  /** Number of distinct keys in the larger of the two maps, which is the entry count of a list. */
  get size(): number {
    return Math.max(this.exact.size, this.suffixes.size);
  }

  /** Adds an entry that matches only the name itself. */
  addExact(name: string, entry: string): void {
    if (!this.exact.has(name)) this.exact.set(name, entry);
  }

  /** Adds an entry that matches every subdomain of the name, not the name itself. */
  addSubdomains(name: string, entry: string): void {
    if (!this.suffixes.has(name)) this.suffixes.set(name, entry);
  }

  /**
   * Returns the entry that matches a lower-case host, preferring the most specific one.
   *
   * `minSuffixLength` stops subdomain entries from reaching above the host's registered domain:
   * an entry shorter than it matches only by exact name. Pass 0 to allow every parent name, or
   * `Infinity` to allow exact names only. `parents` may pass {@link parentNames} computed once
   * for all lists.
   */
  lookup(host: string, minSuffixLength = 0, parents = parentNames(host)): string | undefined {
    const exact = this.exact.get(host);
    if (exact !== undefined) return exact;
    if (this.suffixes.size === 0) return undefined;
    for (const parent of parents) {
      if (parent.length < minSuffixLength) break;
      const entry = this.suffixes.get(parent);
      if (entry !== undefined) return entry;
    }
    return undefined;
  }
}

/** Returns the parent names of a host, nearest first: `b.c`, `c` for `a.b.c`. */
export function parentNames(host: string): string[] {
  const parents: string[] = [];
  for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
    parents.push(host.slice(dot + 1));
  }
  return parents;
}

const HOST_KEY = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/;

/**
 * Reduces a list entry to a lookup key: lower case, without leading or trailing dots. Returns
 * undefined when the entry is not a plain host name, such as `252/24.127.188.93.mifril.ru` or a
 * name that ends in a backslash, which some MISP lists contain.
 */
export function hostKey(entry: string): string | undefined {
  // Most entries are keys already; checking that first skips the copies below.
  if (HOST_KEY.test(entry)) return entry;
  let key = entry.trim().toLowerCase().replace(/^\.+/, '').replace(/\.+$/, '');
  // Indicators carry punycode, so an internationalized entry is converted the same way.
  if (/[\u0080-\uffff]/.test(key)) key = domainToASCII(key);
  if (key === '' || !HOST_KEY.test(key)) return undefined;
  return key;
}
