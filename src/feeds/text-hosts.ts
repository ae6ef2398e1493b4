/**
 * Checks that a host name or address found in free text is what it looks like.
 */
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { getTopLevelDomains } from './text-rules.js';

export type HostCheck =
  | { kind: 'ipv4' | 'ipv6'; canonical: string }
  | { kind: 'domain'; canonical: string; tld: string }
  | { kind: 'invalid'; reason: 'invalid-address' | 'invalid-domain' | 'unknown-tld' };

const IPV4_SHAPE = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const MAC_ADDRESS = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;

/** Returns the canonical dotted form of an IPv4 address, rejecting leading zeros (octal). */
export function checkIpv4(text: string): string | undefined {
  if (!IPV4_SHAPE.test(text)) return undefined;
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  return ipaddr.IPv4.parse(text).toString();
}

/**
 * Returns true when a run of hex digits and colons is worth checking as IPv6: at least two
 * non-empty groups, and either `::` or exactly eight groups (seven and a dotted IPv4 tail).
 * Times (`21:37:59`), MAC addresses and certificate fingerprints fail this.
 */
export function looksLikeIpv6(text: string): boolean {
  if (MAC_ADDRESS.test(text)) return false;
  const groups = text.split(':');
  const filled = groups.filter((group) => group !== '').length;
  if (filled < 2) return false;
  const hasIpv4Tail = groups.at(-1)?.includes('.') ?? false;
  return text.includes('::') || groups.length === (hasIpv4Tail ? 7 : 8);
}

/** Returns the RFC 5952 form of an IPv6 address, or undefined when ipaddr.js rejects it. */
export function checkIpv6(text: string): string | undefined {
  if (!looksLikeIpv6(text) || text.includes('%')) return undefined;
  if (!ipaddr.IPv6.isValid(text)) return undefined;
  return ipaddr.IPv6.parse(text).toRFC5952String();
}

/**
 * Checks a domain name: labels of 1 to 63 letters, digits, hyphens or underscores, at least two
 * labels, at most 253 characters in ASCII (punycode) form, and a last label on the IANA list.
 */
export function checkDomain(text: string): HostCheck {
  const trimmed = text.replace(/\.$/, '');
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (ascii === '' || ascii.length > 253) return { kind: 'invalid', reason: 'invalid-domain' };

  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    return { kind: 'invalid', reason: 'invalid-domain' };
  }
  const tld = labels.at(-1) ?? '';
  if (!getTopLevelDomains().has(tld)) return { kind: 'invalid', reason: 'unknown-tld' };
  return { kind: 'domain', canonical: ascii, tld };
}

/** Checks a URL or UNC host: a bracketed IPv6 address, a dotted IPv4 address or a domain. */
export function checkHost(host: string): HostCheck {
  if (host.startsWith('[') && host.endsWith(']')) {
    const canonical = checkIpv6(host.slice(1, -1));
    return canonical ? { kind: 'ipv6', canonical } : { kind: 'invalid', reason: 'invalid-address' };
  }
  if (/^[\d.]+$/.test(host)) {
    const canonical = checkIpv4(host);
    return canonical ? { kind: 'ipv4', canonical } : { kind: 'invalid', reason: 'invalid-address' };
  }
  return checkDomain(host);
}
