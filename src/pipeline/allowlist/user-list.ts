/**
 * User allowlist files: one entry per line, `#` starts a comment.
 *
 * An entry is an IP address or CIDR block, a domain, a URL, an MD5, SHA-1 or SHA-256 hash, or a
 * regular expression written as `regex:PATTERN` or `/PATTERN/flags`. A domain also covers every
 * subdomain, with no registered-domain limit, because the user chose it. A URL matches exactly
 * after lower-casing scheme and host. A regular expression is tested against the indicator's
 * canonical value, which for a URL indicator is the whole URL.
 *
 * A domain entry that is a public suffix, such as `duckdns.org`, is kept, because the user may
 * mean it, but gets a warning: it sets aside every name registered under the suffix.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseDomain } from 'tldts';
import { ConfigError, fileReadReason, quoteValue } from '../../errors.js';
import { INDICATOR_KINDS, isHexDigest } from '../../indicators/model.js';
import { customerZoneNames } from './builtin-sources.js';
import { HostIndex, hostKey } from './host-index.js';
import { parseIpRange } from './ip-number.js';
import { parseRegexEntry } from './matchers.js';
import { RangeIndex } from './range-index.js';
import { isWildcardChild } from './registrant.js';
import type { AllowlistSource, CompiledList, Probe } from './types.js';

const EXPECTED_FORMS =
  'expected an IP address or CIDR block (10.0.0.0/8), a domain (example.com, which also covers its subdomains), a URL, an MD5, SHA-1 or SHA-256 hash, or a regular expression written as regex:PATTERN or /PATTERN/flags';

interface UserEntries {
  ranges: string[];
  hosts: HostIndex;
  urls: Map<string, string>;
  hashes: Map<string, string>;
  patterns: Array<{ entry: string; pattern: RegExp }>;
  count: number;
}

/**
 * Reads a user allowlist file. Warnings about entries that are valid but likely too broad are
 * added to `warnings`.
 *
 * @throws ConfigError when the file cannot be read or a line is not a valid entry. The error
 *   names the file and line and quotes the line.
 */
export function loadUserAllowlist(path: string, warnings: string[] = []): AllowlistSource {
  return parseUserAllowlist(readUserAllowlist(path).text, path, warnings);
}

/** The text of a user allowlist file, read once so that every thread checks the same entries. */
export interface UserAllowlistText {
  file: string;
  text: string;
}

/**
 * Reads a user allowlist file.
 *
 * @throws ConfigError when the file cannot be read.
 */
export function readUserAllowlist(path: string): UserAllowlistText {
  try {
    return { file: path, text: readFileSync(path, 'utf8') };
  } catch (error) {
    throw new ConfigError(
      'ALLOWLIST_NOT_READABLE',
      `Cannot read the allowlist file ${path}: ${fileReadReason(error)}.`,
      { cause: error },
    );
  }
}

/**
 * Parses the text of a user allowlist file; `file` names it in messages and in `user:<file>`.
 * Warnings about entries that are valid but likely too broad are added to `warnings`.
 */
export function parseUserAllowlist(
  text: string,
  file: string,
  warnings: string[] = [],
): AllowlistSource {
  const entries = parseLines(text, file, warnings);
  const compiled = compileUserEntries(entries);
  const version = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return {
    name: `user:${file}`,
    kinds: new Set(INDICATOR_KINDS),
    urlHostAction: 'set-aside',
    describe: () => `an entry of the user allowlist ${file}`,
    reasonFor: () => `listed in the user allowlist ${file} as known benign.`,
    version: () => version,
    compile: () => compiled,
  };
}

/** Tells whether an allowlist entry is a regular expression: `regex:PATTERN` or `/PATTERN/flags`. */
export function isRegexEntry(text: string): boolean {
  return text.startsWith('regex:') || /^\/.+\/[a-z]*$/s.test(text);
}

function parseLines(text: string, file: string, warnings: string[]): UserEntries {
  const entries: UserEntries = {
    ranges: [],
    hosts: new HostIndex(),
    urls: new Map(),
    hashes: new Map(),
    patterns: [],
    count: 0,
  };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  // Every invalid line is collected, so that one run lists all the fixes a file needs.
  const faults: ConfigError[] = [];
  for (const [index, line] of lines.entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    try {
      addEntry(entries, trimmed, { file, line: index + 1 }, warnings);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      faults.push(error);
      continue;
    }
    entries.count++;
  }
  const [first] = faults;
  if (first && faults.length === 1) throw first;
  if (first) {
    const listed = faults.slice(0, MAX_LISTED_FAULTS).map((fault) => `  ${fault.message}`);
    const more = faults.length - listed.length;
    if (more > 0) listed.push(`  ... and ${more} more`);
    throw new ConfigError(
      'INVALID_ALLOWLIST_ENTRY',
      `${faults.length} invalid entries in the allowlist ${file}:\n${listed.join('\n')}`,
      { source: { file } },
    );
  }
  return entries;
}

/** Invalid lines of one allowlist file named in its error; the rest are counted. */
const MAX_LISTED_FAULTS = 20;

function addEntry(
  entries: UserEntries,
  text: string,
  where: { file: string; line: number },
  warnings: string[],
): void {
  const fail = (detail: string): never => {
    throw new ConfigError(
      'INVALID_ALLOWLIST_ENTRY',
      `Invalid allowlist entry ${quoteValue(text)} in ${where.file} line ${where.line}: ${detail}.`,
      { source: where },
    );
  };

  const regexSource = !isRegexEntry(text)
    ? undefined
    : text.startsWith('regex:')
      ? text.slice('regex:'.length).trim()
      : text;
  if (regexSource !== undefined) {
    const pattern = parseRegexEntry(regexSource);
    if (typeof pattern === 'string') fail(`the regular expression is invalid (${pattern})`);
    // A pattern that matches the empty text matches somewhere in every value.
    if ((pattern as RegExp).test('')) {
      warnings.push(
        `${where.file}:${where.line}: allowlist entry ${quoteValue(text)} matches the empty text, so it sets aside every indicator. Anchor it or make it match something, such as regex:^evil\\.example$.`,
      );
    }
    entries.patterns.push({ entry: text, pattern: pattern as RegExp });
    return;
  }

  // A comment may follow an entry after whitespace: `10.0.0.0/8  # lab network`.
  const value = text.replace(/\s+#.*$/, '');
  if (/\s/.test(value)) fail(`an entry cannot contain spaces; ${EXPECTED_FORMS}`);
  if (value.includes('://')) {
    const url = normalizeUrlEntry(value);
    if (url === undefined) fail(`the URL has no host; ${EXPECTED_FORMS}`);
    entries.urls.set(url!, value);
  } else if (isHexDigest(value)) {
    entries.hashes.set(value.toLowerCase(), value);
  } else if (parseIpRange(value)) {
    const warning = wideRangeWarning(value, where);
    if (warning) warnings.push(warning);
    entries.ranges.push(value);
  } else if (value.includes('/') || value.includes(':') || /^[\d.]+$/.test(value)) {
    fail(`it is not a valid IP address or CIDR block such as 192.0.2.1 or 10.0.0.0/8`);
  } else {
    const key = hostKey(value.replace(/^\*\./, ''));
    if (key === undefined) fail(EXPECTED_FORMS);
    const warning =
      customerZoneWarning(key!, value, where) ?? publicSuffixWarning(key!, value, where);
    if (warning) warnings.push(warning);
    entries.hosts.addExact(key!, value);
    entries.hosts.addSubdomains(key!, value);
  }
}

/**
 * Returns a warning when `host` is a zone of `data/allowlists/customer-zones.json`, such as
 * `glitch.me` or the Azure region `eastus.cloudapp.azure.com`, or the parent of such regions.
 * Most of these zones are not on the Public Suffix List, so its warning would miss them.
 */
function customerZoneWarning(
  host: string,
  entry: string,
  where: { file: string; line: number },
): string | undefined {
  const { names, bases } = customerZoneNames();
  let example: string;
  // Below the parent of wildcard zones, a customer's name is two labels down.
  if (bases.has(host)) example = `name.zone.${host}`;
  else if (names.has(host) || isWildcardChild(host, bases)) example = `name.${host}`;
  else return undefined;
  return (
    `${where.file}:${where.line}: allowlist entry ${quoteValue(entry)} is a hosting, tunnel or ` +
    `dynamic DNS zone whose names belong to different customers (customer-zones), so it sets ` +
    `aside every customer's name under it, such as ${example}. Keep it only if every such name ` +
    `is benign. Otherwise list the customers' names instead.`
  );
}

/**
 * Returns a warning when `host` is a public suffix on the Public Suffix List bundled with tldts,
 * in its ICANN or its private section. Names that the list does not know, such as `corp`, get none.
 */
function publicSuffixWarning(
  host: string,
  entry: string,
  where: { file: string; line: number },
): string | undefined {
  const parsed = parseDomain(host, { allowPrivateDomains: true });
  if (parsed.publicSuffix !== host || !(parsed.isIcann || parsed.isPrivate)) return undefined;
  const section = parsed.isPrivate ? 'private' : 'ICANN';
  return (
    `${where.file}:${where.line}: allowlist entry ${quoteValue(entry)} is a public suffix ` +
    `(${section} section of the Public Suffix List), so it sets aside every name under it, ` +
    `such as example.${host}. Keep it only if every such name is benign. Otherwise list the ` +
    `registered names, such as name.${host}, instead.`
  );
}

/**
 * Shortest prefix lengths that draw no warning, so 10.0.0.0/8 draws none: a wider IPv4 block, or
 * an IPv6 block wider than a /16, covers a large part of the Internet.
 */
const NARROWEST_WIDE_PREFIX = { ipv4: 8, ipv6: 16 };

/** Returns a warning when a CIDR entry is wider than {@link NARROWEST_WIDE_PREFIX} allows. */
function wideRangeWarning(
  entry: string,
  where: { file: string; line: number },
): string | undefined {
  const slash = entry.indexOf('/');
  if (slash < 0) return undefined;
  const prefix = Number(entry.slice(slash + 1));
  const family = entry.includes(':') ? 'ipv6' : 'ipv4';
  if (!(prefix < NARROWEST_WIDE_PREFIX[family])) return undefined;
  const label = family === 'ipv4' ? 'IPv4' : 'IPv6';
  return (
    `${where.file}:${where.line}: allowlist entry ${quoteValue(entry)} is a /${prefix} block, ` +
    `so it sets aside ${prefix === 0 ? `every ${label} address` : `a large part of all ${label} addresses`}. ` +
    'Keep it only if that is meant, and list narrower blocks otherwise.'
  );
}

/** Default ports by scheme, the ones that `parseUrl` drops from indicator URLs. */
const DEFAULT_PORTS: Record<string, string> = {
  http: ':80',
  https: ':443',
  ws: ':80',
  wss: ':443',
  ftp: ':21',
};

/**
 * Writes a URL entry the way indicator URLs are normalized: scheme and host lower case, the
 * scheme's default port dropped, an empty path written as `/`.
 */
function normalizeUrlEntry(value: string): string | undefined {
  const parts = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]+)(.*)$/i.exec(value);
  if (!parts) return undefined;
  const scheme = parts[1]!.toLowerCase();
  let host = parts[2]!.toLowerCase();
  const defaultPort = DEFAULT_PORTS[scheme];
  if (defaultPort !== undefined && host.endsWith(defaultPort))
    host = host.slice(0, -defaultPort.length);
  const rest = parts[3] === '' || parts[3]!.startsWith('?') ? `/${parts[3]}` : parts[3]!;
  return `${scheme}://${host}${rest}`;
}

function compileUserEntries(entries: UserEntries): CompiledList {
  const ranges = new RangeIndex(entries.ranges);
  return {
    entryCount: entries.count,
    skippedEntries: [],
    match(probe: Probe) {
      if (probe.address) {
        const range = ranges.lookup(probe.address);
        if (range !== undefined) return range;
      }
      if (probe.url !== undefined) {
        const url = entries.urls.get(probe.url);
        if (url !== undefined) return url;
      }
      if (probe.host !== undefined) {
        const host = entries.hosts.lookup(probe.host, 0);
        if (host !== undefined) return host;
      }
      const hash = entries.hashes.get(probe.value);
      if (hash !== undefined) return hash;
      const text = probe.url ?? probe.value;
      return entries.patterns.find((item) => item.pattern.test(text))?.entry;
    },
  };
}
