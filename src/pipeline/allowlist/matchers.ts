/**
 * Compiled matchers for the five MISP warninglist types (`cidr`, `string`, `hostname`,
 * `substring`, `regex`), as the MISP warninglists README and PyMISPWarningLists define them:
 * - `cidr`: the address lies in a block; entries may be bare addresses, IPv6 in any case.
 * - `string`: exact value. Host names compare case-insensitively, and an entry with a leading
 *   dot (`.google.ad`) matches any subdomain, not the name itself.
 * - `hostname`: the name and all its subdomains; a URL is matched by its host.
 * - `substring`: the entry occurs in the value (case-insensitive). For a URL the value is its
 *   host, because the built-in substring list contains host names and a query string could
 *   otherwise carry any of them.
 * - `regex`: the entry, a JavaScript regular expression, matches the value.
 */
import type { CombinedIndex } from './combined-index.js';
import { HostIndex, hostKey } from './host-index.js';
import { RangeIndex } from './range-index.js';
import type { CompiledList, Probe } from './types.js';

export type WarninglistType = 'cidr' | 'string' | 'hostname' | 'substring' | 'regex';

export const WARNINGLIST_TYPES: readonly WarninglistType[] = [
  'cidr',
  'string',
  'hostname',
  'substring',
  'regex',
];

/** Options that differ between built-in and user lists. */
export interface MatcherOptions {
  /**
   * When true, subdomain entries match only inside the host's registered domain (see
   * `RegistrantResolver`). Built-in lists set it; user lists match every subdomain as written.
   */
  registrantBoundary: boolean;
}

/** Compiles list entries into a matcher of the given type. */
export function compileEntries(
  type: WarninglistType,
  entries: readonly string[],
  options: MatcherOptions,
): CompiledList {
  switch (type) {
    case 'cidr':
      return compileCidr(entries);
    case 'string':
      return compileString(entries, options);
    case 'hostname':
      return compileHostname(entries, options);
    case 'substring':
      return compileSubstring(entries);
    case 'regex':
      return compileRegex(entries);
  }
}

/**
 * Adds list entries of the given type to the combined index under the list id, so that the index
 * returns what {@link compileEntries} would. Substring and regex lists are added whole.
 */
export function indexEntries(
  index: CombinedIndex,
  list: number,
  type: WarninglistType,
  entries: readonly string[],
  options: MatcherOptions,
): void {
  switch (type) {
    case 'cidr':
      for (const entry of entries) index.addRange(list, entry);
      return;
    case 'string':
      for (const entry of entries) {
        const trimmed = entry.trim();
        const key = hostKey(trimmed);
        if (key !== undefined) {
          index.addHost(list, key, trimmed.startsWith('.') ? 'subdomains' : 'exact', entry);
        }
        index.addValue(list, trimmed.toLowerCase(), entry);
      }
      return;
    case 'hostname':
      for (const entry of entries) {
        const key = hostKey(entry);
        if (key === undefined) continue;
        index.addHost(list, key, 'exact-and-subdomains', entry);
      }
      return;
    case 'substring':
    case 'regex':
      index.addScanned(list, compileEntries(type, entries, options));
      return;
  }
}

function compileCidr(entries: readonly string[]): CompiledList {
  const index = new RangeIndex(entries);
  return {
    entryCount: index.size,
    skippedEntries: index.invalidEntries,
    match: (probe) => (probe.address ? index.lookup(probe.address) : undefined),
  };
}

function suffixLimit(probe: Probe, options: MatcherOptions): number {
  return options.registrantBoundary ? (probe.minSuffixLength ?? Infinity) : 0;
}

function compileHostname(entries: readonly string[], options: MatcherOptions): CompiledList {
  const hosts = new HostIndex();
  const skippedEntries: string[] = [];
  for (const entry of entries) {
    const key = hostKey(entry);
    if (key === undefined) {
      skippedEntries.push(entry);
      continue;
    }
    hosts.addExact(key, entry);
    hosts.addSubdomains(key, entry);
  }
  return {
    entryCount: hosts.size,
    skippedEntries,
    match: (probe) =>
      probe.host === undefined
        ? undefined
        : hosts.lookup(probe.host, suffixLimit(probe, options), probe.hostParents),
  };
}

function compileString(entries: readonly string[], options: MatcherOptions): CompiledList {
  const hosts = new HostIndex();
  // Values that are not host names (hashes, URLs, addresses), compared case-insensitively
  // because hex digests are written in either case.
  const values = new Map<string, string>();
  for (const entry of entries) {
    const trimmed = entry.trim();
    const key = hostKey(trimmed);
    if (key !== undefined && trimmed.startsWith('.')) hosts.addSubdomains(key, entry);
    else if (key !== undefined) hosts.addExact(key, entry);
    const lower = trimmed.toLowerCase();
    if (!values.has(lower)) values.set(lower, entry);
  }
  return {
    entryCount: values.size,
    skippedEntries: [],
    match(probe) {
      if (probe.host !== undefined) {
        const byHost = hosts.lookup(probe.host, suffixLimit(probe, options), probe.hostParents);
        if (byHost !== undefined || probe.url === undefined) return byHost;
        return values.get(probe.url.toLowerCase());
      }
      return values.get(probe.value.toLowerCase());
    },
  };
}

function compileSubstring(entries: readonly string[]): CompiledList {
  const needles = entries.map((entry) => ({ entry, needle: entry.trim().toLowerCase() }));
  const usable = needles.filter((needle) => needle.needle !== '');
  // One pattern of all needles rules out a value about nine times faster than a search for each
  // needle (26 needles, 1,000,000 host names, Node.js 20). A value it finds is searched again
  // needle by needle, so that the first entry in list order is the one reported.
  const anyNeedle =
    usable.length === 0
      ? undefined
      : new RegExp(usable.map(({ needle }) => escapeRegex(needle)).join('|'));
  return {
    entryCount: usable.length,
    skippedEntries: needles.filter((needle) => needle.needle === '').map((item) => item.entry),
    match(probe) {
      const haystack = (probe.host ?? probe.url ?? probe.value).toLowerCase();
      if (anyNeedle === undefined || !anyNeedle.test(haystack)) return undefined;
      return usable.find((item) => haystack.includes(item.needle))?.entry;
    },
  };
}

/** Returns `text` with every character that a RegExp reads as syntax escaped. */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function compileRegex(entries: readonly string[]): CompiledList {
  const patterns: Array<{ entry: string; pattern: RegExp }> = [];
  const skippedEntries: string[] = [];
  for (const entry of entries) {
    const pattern = parseRegexEntry(entry);
    if (pattern instanceof RegExp) patterns.push({ entry, pattern });
    else skippedEntries.push(entry);
  }
  return {
    entryCount: patterns.length,
    skippedEntries,
    match(probe) {
      const text = probe.url ?? probe.value;
      return patterns.find((item) => item.pattern.test(text))?.entry;
    },
  };
}

/**
 * Parses `/pattern/flags` or a bare pattern into a RegExp. Returns the error message when the
 * pattern is invalid.
 *
 * NOTE: MISP evaluates regex lists with PCRE. Patterns that use PCRE-only syntax (possessive
 * quantifiers, `(?i)` inline flags) fail here and are skipped.
 */
export function parseRegexEntry(entry: string): RegExp | string {
  const delimited = /^\/(.*)\/([a-z]*)$/s.exec(entry.trim());
  const source = delimited ? delimited[1]! : entry.trim();
  const flags = delimited ? delimited[2]!.replace(/[gy]/g, '') : '';
  if (source === '') return 'the pattern is empty';
  try {
    return new RegExp(source, flags);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
