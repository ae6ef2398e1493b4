/**
 * Conversion of IP address and CIDR text into integers for range lookups: IPv4 as a `number`
 * (0 to 2^32 - 1), IPv6 as a `bigint` (0 to 2^128 - 1).
 *
 * Dotted decimal IPv4 and IPv6 have hand-written parsers because lists such as public-dns-v4
 * hold tens of thousands of addresses, and ipaddr.js 2.5 takes about 5 µs per address, which would
 * make loading them cost hundreds of milliseconds.
 */

export type IpFamily = 'ipv4' | 'ipv6';

/** One address as an integer of its family. */
export type IpNumber = { family: 'ipv4'; value: number } | { family: 'ipv6'; value: bigint };

/** An inclusive range of addresses of one family, from a CIDR block or a bare address. */
export type IpRange =
  { family: 'ipv4'; first: number; last: number } | { family: 'ipv6'; first: bigint; last: bigint };

const IPV4_BITS = 32;
const IPV6_BITS = 128;
const IPV6_MAX = (1n << 128n) - 1n;
const CHAR_0 = 48;
const CHAR_DOT = 46;

/** The IPv4-mapped prefix `::ffff:0:0/96`. */
const MAPPED_PREFIX = 0xffffn << 32n;
/** The well-known NAT64 prefix `64:ff9b::/96` (RFC 6052), which embeds a public IPv4 address. */
const NAT64_PREFIX = 0x64ff9bn << 96n;
const LOW_96_MASK = (1n << 96n) - 1n;
const LOW_32_MASK = (1n << 32n) - 1n;

/** Parses strict dotted decimal IPv4 (four octets, no leading zeros) into a number. */
export function parseIPv4Number(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === CHAR_DOT) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
      continue;
    }
    const digit = code - CHAR_0;
    if (digit < 0 || digit > 9) return undefined;
    if (digits > 0 && octet === 0) return undefined;
    octet = octet * 10 + digit;
    digits++;
    if (octet > 255) return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}

/**
 * Parses IPv6 text (any case, no zone id, no brackets) into a bigint. A dotted IPv4 tail is the
 * last 32 bits and must be strict dotted decimal, so `::1.2.3.4` is the IPv4-compatible address
 * `::102:304` (RFC 4291, section 2.5.5.1) and only `::ffff:1.2.3.4` is the IPv4-mapped one.
 * ipaddr.js 2.5 reads `::1.2.3.4` as `::ffff:1.2.3.4` and accepts octets such as `010` or `0x1`,
 * so it is not used here.
 */
export function parseIPv6Number(text: string): bigint | undefined {
  const tailStart = text.lastIndexOf(':') + 1;
  if (tailStart === 0 || text.indexOf('.', tailStart) < 0) return parseHexGroups(text);
  const ipv4 = parseIPv4Number(text.slice(tailStart));
  if (ipv4 === undefined) return undefined;
  const high = Math.floor(ipv4 / 0x10000).toString(16);
  const low = (ipv4 % 0x10000).toString(16);
  return parseHexGroups(`${text.slice(0, tailStart)}${high}:${low}`);
}

const CHAR_COLON = 58;
const IPV6_GROUPS = 8;
const groupValues = new Array<number>(IPV6_GROUPS).fill(0);

/** Returns the value of a hexadecimal digit's character code, or -1. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/**
 * Parses IPv6 text made only of hexadecimal groups, such as `2001:db8::1`. Returns undefined for
 * any other text.
 */
function parseHexGroups(text: string): bigint | undefined {
  const length = text.length;
  let count = 0;
  // Index in the groups where `::` is, or -1.
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === CHAR_COLON) {
    if (text.charCodeAt(1) !== CHAR_COLON) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < length) {
    let group = 0;
    let digits = 0;
    for (let digit = hexDigit(text.charCodeAt(i)); digit >= 0;) {
      group = group * 16 + digit;
      digits++;
      digit = hexDigit(text.charCodeAt(++i));
    }
    if (digits === 0 || digits > 4 || count === IPV6_GROUPS) return undefined;
    groupValues[count++] = group;
    if (i === length) break;
    if (text.charCodeAt(i) !== CHAR_COLON || ++i === length) return undefined;
    if (text.charCodeAt(i) === CHAR_COLON) {
      if (gap >= 0) return undefined;
      gap = count;
      i++;
    }
  }
  if (gap < 0 ? count !== IPV6_GROUPS : count >= IPV6_GROUPS) return undefined;

  // Two groups make a 32-bit word, and four words the 128-bit value.
  const zeros = IPV6_GROUPS - count;
  let value = 0n;
  let word = 0;
  for (let position = 0; position < IPV6_GROUPS; position++) {
    let group = 0;
    if (gap < 0 || position < gap) group = groupValues[position]!;
    else if (position >= gap + zeros) group = groupValues[position - zeros]!;
    word = word * 0x10000 + group;
    if (position % 2 === 1) {
      value = (value << 32n) | BigInt(word);
      word = 0;
    }
  }
  return value;
}

/** Parses an IPv4 or IPv6 address into an integer of its family. */
export function parseIpNumber(text: string): IpNumber | undefined {
  if (text.includes(':')) {
    const value = parseIPv6Number(text);
    return value === undefined ? undefined : { family: 'ipv6', value };
  }
  const value = parseIPv4Number(text);
  return value === undefined ? undefined : { family: 'ipv4', value };
}

/**
 * Returns the IPv4 address carried inside an IPv6 address that only translates to IPv4: the
 * IPv4-mapped form `::ffff:a.b.c.d` and the NAT64 well-known prefix `64:ff9b::/96`. Traffic to
 * such an address goes to the IPv4 host, so IPv4 lists apply to it.
 */
export function embeddedIPv4(value: bigint): number | undefined {
  const prefix = value & ~LOW_32_MASK;
  if (prefix === MAPPED_PREFIX || (value & ~LOW_96_MASK) === NAT64_PREFIX) {
    return Number(value & LOW_32_MASK);
  }
  return undefined;
}

/**
 * Parses a CIDR block (`10.0.0.0/8`, `2001:DB8::/32`) or a bare address into an inclusive range.
 * Host bits set below the prefix are ignored, as routers do (`10.1.2.3/8` is `10.0.0.0/8`).
 */
export function parseIpRange(text: string): IpRange | undefined {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const address = parseIpNumber(addressText);
  if (!address) return undefined;

  const bits = address.family === 'ipv4' ? IPV4_BITS : IPV6_BITS;
  const prefix = slash < 0 ? bits : parsePrefixLength(text.slice(slash + 1), bits);
  if (prefix === undefined) return undefined;

  if (address.family === 'ipv4') {
    const size = 2 ** (IPV4_BITS - prefix);
    const first = address.value - (address.value % size);
    return { family: 'ipv4', first, last: first + size - 1 };
  }
  const hostMask = (1n << BigInt(IPV6_BITS - prefix)) - 1n;
  const first = address.value & (IPV6_MAX ^ hostMask);
  return { family: 'ipv6', first, last: first | hostMask };
}

function parsePrefixLength(text: string, bits: number): number | undefined {
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const prefix = Number(text);
  return prefix <= bits ? prefix : undefined;
}
