/**
 * Normalization of one raw feed record into an {@link Indicator} with a canonical value.
 *
 * Canonical values, which with the kind form the identity used for merging:
 * - ip: dotted decimal IPv4 or RFC 5952 IPv6 (`2001:db8::1`); IPv4-mapped IPv6 becomes IPv4.
 * - ip-port: `1.2.3.4:80` or `[2001:db8::1]:80`.
 * - domain: lower-case punycode without a trailing dot.
 * - url: see `parseUrl`; scheme and host lower-cased, path and query as given.
 * - md5, sha1, sha256: lower-case hex.
 * Defanged input (`hxxps://`, `[.]`, `(.)`, `[:]`) is refanged and accepted with a warning.
 */
import { quoteValue, type HuntpackIssue } from '../errors.js';
import { parseAddress, parseIPv6, parseIpPort, type ParsedAddress } from './address.js';
import { normalizeContext } from './context.js';
import { refangValue } from './defang.js';
import { describeRemovedCharacters, normalizeDomain } from './domain.js';
import {
  describeKind,
  type DomainIndicator,
  type HashIndicator,
  type HashKind,
  type Indicator,
  type IndicatorContext,
  type IndicatorKind,
  type IpIndicator,
  type IpPortIndicator,
  type RawIndicator,
  type UrlIndicator,
} from './model.js';
import { isRejection, ValueRejection } from './rejection.js';
import { parseUrl } from './url.js';

export { urlKey } from './url.js';

/**
 * The result of {@link normalizeIndicator}: an indicator with the warnings raised while
 * accepting it (refanged value, clamped confidence, dropped dates), or the error that rejected it.
 */
export type NormalizeResult =
  { indicator: Indicator; warnings: HuntpackIssue[] } | { issue: HuntpackIssue };

const THREATFOX_TYPES: ReadonlyMap<string, IndicatorKind> = new Map([
  ['ip:port', 'ip-port'],
  ['domain', 'domain'],
  ['url', 'url'],
  ['md5_hash', 'md5'],
  ['sha1_hash', 'sha1'],
  ['sha256_hash', 'sha256'],
]);

const KIND_NAMES: ReadonlyMap<string, IndicatorKind> = new Map<string, IndicatorKind>([
  ['ip', 'ip'],
  ['ip-port', 'ip-port'],
  ['domain', 'domain'],
  ['url', 'url'],
  ['md5', 'md5'],
  ['sha1', 'sha1'],
  ['sha256', 'sha256'],
  ...THREATFOX_TYPES,
]);

/**
 * Maps a ThreatFox `ioc_type` (`ip:port`, `domain`, `url`, `md5_hash`, `sha1_hash`,
 * `sha256_hash`) to huntpack's type name, ignoring case and surrounding spaces. Any other text is
 * returned trimmed and unchanged, so normalization rejects it with a message that quotes it.
 */
export function mapThreatFoxType(text: string): string {
  // Exports write the names exactly, so the lookup without trimming and case folding comes first.
  const exact = THREATFOX_TYPES.get(text);
  if (exact !== undefined) return exact;
  const trimmed = text.trim();
  return THREATFOX_TYPES.get(trimmed.toLowerCase()) ?? trimmed;
}

/** Returns the indicator kind for a huntpack or ThreatFox type name, ignoring case. */
export function parseIndicatorKind(text: string): IndicatorKind | undefined {
  return KIND_NAMES.get(text.trim().toLowerCase());
}

/**
 * Normalizes one raw record. An invalid value yields one error issue and no indicator. Problems
 * in the context (confidence out of range, invalid dates) only drop or clamp that field and add
 * warnings. Every issue carries `raw.source` and quotes the feed's value.
 */
export function normalizeIndicator(raw: RawIndicator): NormalizeResult {
  const kind = parseIndicatorKind(raw.type);
  if (!kind) {
    return reject(
      raw,
      'UNSUPPORTED_TYPE',
      `Unsupported indicator type ${quoteValue(raw.type)} for the value ${quoteValue(raw.value)}. Expected one of ip, ip-port, domain, url, md5, sha1, sha256.`,
    );
  }
  const trimmed = raw.value.trim();
  if (trimmed === '') {
    return reject(
      raw,
      'EMPTY_VALUE',
      `The ${describeKind(kind)} value is empty. Expected an indicator value.`,
    );
  }

  if (!trimmed.isWellFormed()) {
    return reject(
      raw,
      'UNPAIRED_SURROGATE',
      `Invalid ${describeKind(kind)} value ${quoteValue(raw.value)}: it contains an unpaired UTF-16 surrogate, which no log can contain, so no hunt could match it.`,
    );
  }

  const warnings: HuntpackIssue[] = [];
  const value = refangValue(trimmed);
  if (value !== trimmed) warnings.push(defangedIssue(raw, value));

  const fields = parseValue(kind, value, raw, warnings);
  if (isRejection(fields)) {
    const message = `Invalid ${describeKind(kind)} value ${quoteValue(raw.value)}. ${fields.reason}`;
    return reject(raw, fields.code, message);
  }
  const indicator = normalizeContext(raw.context, raw.source, warnings) as Indicator;
  addFields(indicator, fields);
  return { indicator, warnings };
}

/** The kind-specific fields of an indicator, without its context. */
type IndicatorFields = DistributiveOmit<Indicator, keyof IndicatorContext>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Adds the kind-specific fields to the context object, which becomes the indicator. Plain
 * assignments per kind are faster than Object.assign on a million indicators.
 */
function addFields(indicator: Indicator, fields: IndicatorFields): void {
  switch (fields.kind) {
    case 'ip': {
      const target = indicator as IpIndicator;
      target.kind = fields.kind;
      target.value = fields.value;
      target.address = fields.address;
      target.addressFamily = fields.addressFamily;
      return;
    }
    case 'ip-port': {
      const target = indicator as IpPortIndicator;
      target.kind = fields.kind;
      target.value = fields.value;
      target.address = fields.address;
      target.addressFamily = fields.addressFamily;
      target.port = fields.port;
      return;
    }
    case 'domain': {
      const target = indicator as DomainIndicator;
      target.kind = fields.kind;
      target.value = fields.value;
      target.domain = fields.domain;
      return;
    }
    case 'url': {
      const target = indicator as UrlIndicator;
      target.kind = fields.kind;
      target.value = fields.value;
      target.url = fields.url;
      target.scheme = fields.scheme;
      target.host = fields.host;
      target.hostKind = fields.hostKind;
      if (fields.port !== undefined) target.port = fields.port;
      target.pathAndQuery = fields.pathAndQuery;
      return;
    }
    case 'md5':
    case 'sha1':
    case 'sha256': {
      const target = indicator as HashIndicator;
      target.kind = fields.kind;
      target.value = fields.value;
      target.hash = fields.hash;
      return;
    }
  }
}

function parseValue(
  kind: IndicatorKind,
  text: string,
  raw: RawIndicator,
  warnings: HuntpackIssue[],
): IndicatorFields | ValueRejection {
  switch (kind) {
    case 'ip-port': {
      // MISP and STIX give the address of an ip:port apart from its port, also as a /32 block.
      const block = raw.port === undefined ? undefined : oneAddressBlock(text);
      if (block) warnings.push(oneAddressBlockIssue(raw, block));
      const addressText = block ? block.address : text;
      const parsed = parseIpPort(addressText, raw.port);
      if (isRejection(parsed)) return parsed;
      const { address, family, port } = parsed;
      const value = family === 'ipv6' ? `[${address}]:${port}` : `${address}:${port}`;
      if (family === 'ipv6' && readsPortOfBareIPv6(addressText, raw.port)) {
        warnings.push(bareIPv6PortIssue(raw, addressText, value));
      }
      // Most values are already canonical, and the feed's own string then serves as the value.
      return { kind, value: value === text ? text : value, address, addressFamily: family, port };
    }
    case 'ip':
      return parseIp(text, raw, warnings);
    case 'domain': {
      const domain = normalizeDomain(text);
      if (isRejection(domain)) return domain;
      const removed = describeRemovedCharacters(text);
      if (removed !== undefined) warnings.push(removedCharactersIssue(raw, domain, removed));
      return { kind, value: domain, domain };
    }
    case 'url': {
      const parsed = parseUrl(text);
      if (isRejection(parsed)) return parsed;
      const { scheme, host, hostKind, port, pathAndQuery } = parsed;
      const url = parsed.url === text ? text : parsed.url;
      const fields: IndicatorFields = {
        kind,
        value: url,
        url,
        scheme,
        host,
        hostKind,
        pathAndQuery,
      };
      if (port !== undefined) fields.port = port;
      for (const repair of parsed.repairs ?? []) {
        warnings.push({
          code: repair.code,
          severity: 'warning',
          message: `Read the URL ${quoteValue(raw.value)} as ${quoteValue(url)}, because ${repair.reason}.`,
          source: raw.source,
        });
      }
      return fields;
    }
    case 'md5':
    case 'sha1':
    case 'sha256': {
      const hash = normalizeHash(kind, text);
      return isRejection(hash) ? hash : { kind, value: hash, hash };
    }
  }
}

function parseIp(
  text: string,
  raw: RawIndicator,
  warnings: HuntpackIssue[],
): IndicatorFields | ValueRejection {
  const block = oneAddressBlock(text);
  if (block) warnings.push(oneAddressBlockIssue(raw, block));
  const parsed = block ?? parseAddress(text);
  if (isRejection(parsed)) {
    if (isRejection(parseIpPort(text))) return parsed;
    return new ValueRejection(
      'INVALID_IP',
      'The value has a port. Declare it as ip-port, or give the address alone.',
    );
  }
  if (raw.port !== undefined) {
    warnings.push({
      code: 'PORT_IGNORED',
      severity: 'warning',
      message: `Ignored the separate port ${quoteValue(raw.port)} of the ip value ${quoteValue(raw.value)}. Declare the record as ip-port to hunt on the port.`,
      source: raw.source,
    });
  }
  return {
    kind: 'ip',
    value: parsed.address,
    address: parsed.address,
    addressFamily: parsed.family,
  };
}

/**
 * Returns the address of a CIDR block that contains one address, such as `45.9.148.21/32` or
 * `2001:db8::1/128`, which STIX and MISP exports write for single hosts.
 */
function oneAddressBlock(text: string): ParsedAddress | undefined {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return undefined;
  const prefix = text.slice(slash + 1);
  const address = text.slice(0, slash);
  const ipv6 = address.includes(':');
  if (prefix !== (ipv6 ? '128' : '32')) return undefined;
  const parsed = parseAddress(address);
  return isRejection(parsed) ? undefined : parsed;
}

/**
 * True when parseIpPort took the port of an IPv6 ip:port from the text after its last colon,
 * because the address has no brackets, as in `2001:db8::1:443`.
 */
function readsPortOfBareIPv6(text: string, separatePort: number | undefined): boolean {
  if (text.startsWith('[')) return false;
  // With a separate port, an unbracketed text that is one IPv6 address is read whole.
  return separatePort === undefined || isRejection(parseIPv6(text));
}

function bareIPv6PortIssue(raw: RawIndicator, text: string, value: string): HuntpackIssue {
  const alsoAddress = isRejection(parseIPv6(text))
    ? ''
    : ` The whole value is also a valid IPv6 address, so the feed may mean ${quoteValue(text)} without a port.`;
  return {
    code: 'IPV6_PORT_WITHOUT_BRACKETS',
    severity: 'warning',
    message: `Read the ip:port value ${quoteValue(raw.value)} as ${quoteValue(value)}, because an ip:port value ends in its port.${alsoAddress} Check the value in the feed, and write an IPv6 address with a port in brackets, such as "[2001:db8::1]:443".`,
    source: raw.source,
    value: raw.value,
  };
}

function oneAddressBlockIssue(raw: RawIndicator, block: ParsedAddress): HuntpackIssue {
  return {
    code: 'ONE_ADDRESS_BLOCK',
    severity: 'warning',
    message: `Read the CIDR block ${quoteValue(raw.value)}, which contains one address, as the address ${quoteValue(block.address)}.`,
    source: raw.source,
  };
}

const HASH_LENGTHS: Readonly<Record<HashKind, number>> = { md5: 32, sha1: 40, sha256: 64 };

function normalizeHash(kind: HashKind, text: string): string | ValueRejection {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i) | 0x20;
    const isHex = (code >= 48 && code <= 57) || (code >= 97 && code <= 102);
    if (!isHex) {
      return new ValueRejection(
        'INVALID_HASH',
        `The character ${quoteValue(text[i])} at position ${i + 1} is not a hex digit. Expected ${HASH_LENGTHS[kind]} hex digits.`,
      );
    }
  }
  const expected = HASH_LENGTHS[kind];
  if (text.length === expected) return text.toLowerCase();

  const fitting = (Object.keys(HASH_LENGTHS) as HashKind[]).find(
    (other) => HASH_LENGTHS[other] === text.length,
  );
  const fits = fitting
    ? `, which is the length of ${fitting}. Declare it as ${fitting} if the feed mislabelled it`
    : ', which fits no supported hash type';
  return new ValueRejection(
    'HASH_LENGTH_MISMATCH',
    `It has ${text.length} hex digits${fits}. Expected ${expected} hex digits for ${kind}.`,
  );
}

function defangedIssue(raw: RawIndicator, refanged: string): HuntpackIssue {
  return {
    code: 'DEFANGED_VALUE',
    severity: 'warning',
    message: `Refanged the defanged value ${quoteValue(raw.value)} to ${quoteValue(refanged)}. Expected a live value. Huntpack refangs only the forms hxxp, hxxps, [.], (.) and [:].`,
    source: raw.source,
  };
}

function removedCharactersIssue(raw: RawIndicator, domain: string, reason: string): HuntpackIssue {
  return {
    code: 'INVISIBLE_CHARACTER_REMOVED',
    severity: 'warning',
    message: `Read the domain ${quoteValue(raw.value)} as ${quoteValue(domain)}, because ${reason}. Check the value in the feed if it looks wrong.`,
    source: raw.source,
  };
}

function reject(raw: RawIndicator, code: string, message: string): NormalizeResult {
  return { issue: { code, severity: 'error', message, source: raw.source, value: raw.value } };
}
