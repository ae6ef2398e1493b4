/**
 * The indicator model every feed reader produces and every later stage consumes.
 *
 * Readers turn feed records into {@link RawIndicator} values, which keep the feed's own text.
 * `normalizeIndicator` turns one into an {@link Indicator} with canonical values, or rejects it
 * with an issue. Indicators are a discriminated union on `kind`.
 */
import type { SourceLocation } from '../errors.js';
import type { Provenance } from './provenance.js';

export type IndicatorKind = 'ip' | 'ip-port' | 'domain' | 'url' | 'md5' | 'sha1' | 'sha256';

export const INDICATOR_KINDS: readonly IndicatorKind[] = [
  'ip-port',
  'ip',
  'domain',
  'url',
  'md5',
  'sha1',
  'sha256',
];

export type HashKind = 'md5' | 'sha1' | 'sha256';

/** STIX object types of a threat group that a pack can be named after when no malware is named. */
export type ThreatGroupKind = 'campaign' | 'intrusion-set' | 'threat-actor';

/**
 * The malware family an indicator belongs to, or the threat group used in its place when the
 * feed names no malware (a STIX indicator that indicates only a campaign or an intrusion set).
 */
export interface MalwareFamily {
  /** Printable name, such as `Remcos`. */
  name: string;
  /** Malpedia id, such as `win.remcos`, when the feed gives one. */
  malpedia?: string;
  /** Other names for the family, without the printable name itself. */
  aliases: readonly string[];
  /** Kind of threat group that the name belongs to, absent for malware (and tools). */
  kind?: ThreatGroupKind;
}

/**
 * Everything a feed gives about an indicator besides its value. Lists and the family may be
 * shared between indicators and frozen, so copy one before changing it.
 */
export interface IndicatorContext {
  family?: MalwareFamily;
  /**
   * Other families the same record names, such as a STIX indicator that indicates two malware
   * objects. The merge treats each as a later record of that family would be: the indicator
   * keeps `family`, unless the family filter selects one of these, and a warning names each.
   */
  otherFamilies?: readonly MalwareFamily[];
  /** ThreatFox-style threat type, such as `botnet_cc` or `payload_delivery`. */
  threatType?: string;
  /** Confidence from 0 to 100. */
  confidence?: number;
  firstSeen?: Date;
  lastSeen?: Date;
  /** When the source says the indicator stops being valid (STIX `valid_until`). */
  expires?: Date;
  tags: readonly string[];
  /** Reference links, such as a report or a sandbox page. */
  references: readonly string[];
  reporters: readonly string[];
  /** ThreatFox `is_compromised`: the infrastructure is a compromised legitimate host. */
  isCompromised?: boolean;
  /** The places the indicator was read from and the ids its feeds give it. */
  provenance: Provenance;
}

/**
 * The reason an indicator is hunted only on its exact value, from the allowlist entry behind it.
 * An ip:port on a rented hosting address gets the port-aware hunt but no address-only hunt, and
 * a URL on a shared host is matched as the whole URL, never through its host's address.
 */
export interface ExactOnly {
  /** List name, as in a set-aside indicator. */
  list: string;
  /** The matching entry exactly as the list writes it. */
  entry: string;
  reason: string;
  /**
   * True for a URL on an address that the lists set aside even with a port, such as a CDN edge:
   * hunts match the whole URL only, without its address and port.
   */
  urlOnly?: true;
}

interface IndicatorBase extends IndicatorContext {
  /** Canonical text of the indicator; with `kind` it is the identity used for merging. */
  value: string;
  /** Set by the allowlists when hunts may use only the exact value, never the bare address. */
  exactOnly?: ExactOnly;
}

export interface IpIndicator extends IndicatorBase {
  kind: 'ip';
  address: string;
  addressFamily: 'ipv4' | 'ipv6';
}

export interface IpPortIndicator extends IndicatorBase {
  kind: 'ip-port';
  /** Canonical address text: dotted IPv4, or RFC 5952 IPv6 without brackets. */
  address: string;
  addressFamily: 'ipv4' | 'ipv6';
  /** TCP or UDP port, 1 to 65535. */
  port: number;
}

export interface DomainIndicator extends IndicatorBase {
  kind: 'domain';
  /** Lower-case host name in ASCII (punycode), without a trailing dot. */
  domain: string;
}

export interface UrlIndicator extends IndicatorBase {
  kind: 'url';
  /** Normalized URL: scheme and host lower-cased, path and query kept as given. */
  url: string;
  scheme: string;
  /** Host as in {@link DomainIndicator.domain} or a canonical address (IPv6 without brackets). */
  host: string;
  hostKind: 'domain' | 'ipv4' | 'ipv6';
  /** Explicit port, when the URL names one that is not the scheme's default. */
  port?: number;
  /** Path, query and nothing else: `/a/b?c=d`, at least `/`. */
  pathAndQuery: string;
}

export interface HashIndicator extends IndicatorBase {
  kind: HashKind;
  /** Lower-case hex digest. */
  hash: string;
}

export type Indicator =
  IpIndicator | IpPortIndicator | DomainIndicator | UrlIndicator | HashIndicator;

/**
 * One record as a feed gives it, before normalization: the declared type and value are the
 * feed's own text, and context fields have already been parsed into their types.
 */
export interface RawIndicator {
  /**
   * Declared type in huntpack's terms (`ip`, `ip-port`, `domain`, `url`, `md5`, `sha1`, `sha256`),
   * or the feed's own type text when it has no equivalent, which normalization then rejects.
   */
  type: string;
  value: string;
  /** Port given separately from the value, as MISP `ip-dst|port` or STIX `dst_port` do. */
  port?: number;
  context: Partial<IndicatorContext>;
  /** Where the record is, for messages: file and line, or file and id. */
  source: SourceLocation;
}

/** Tells whether `text` is a whole MD5, SHA1 or SHA256 digest in hex, in either case. */
export function isHexDigest(text: string): boolean {
  return /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/i.test(text);
}

/**
 * Returns the latest sighting of an indicator: the later of its first and last seen times, so a
 * ThreatFox row whose last_seen is before its first_seen counts from its first_seen.
 */
export function latestSighting(
  indicator: Pick<IndicatorContext, 'firstSeen' | 'lastSeen'>,
): Date | undefined {
  const { firstSeen, lastSeen } = indicator;
  if (!firstSeen) return lastSeen;
  if (!lastSeen) return firstSeen;
  return lastSeen.getTime() >= firstSeen.getTime() ? lastSeen : firstSeen;
}

/** The identity two records must share to be merged: kind plus canonical value. */
export function indicatorKey(indicator: Pick<Indicator, 'kind' | 'value'>): string {
  return `${indicator.kind}|${indicator.value}`;
}

/** Returns a human label for a kind, as ThreatFox writes it (`ip:port`, `sha256_hash`, ...). */
export function describeKind(kind: IndicatorKind): string {
  switch (kind) {
    case 'ip':
      return 'ip';
    case 'ip-port':
      return 'ip:port';
    case 'domain':
      return 'domain';
    case 'url':
      return 'url';
    case 'md5':
      return 'md5_hash';
    case 'sha1':
      return 'sha1_hash';
    case 'sha256':
      return 'sha256_hash';
  }
}
