/**
 * Builds normalized indicators for allowlist tests, filling the context fields with empty values.
 */
import ipaddr from 'ipaddr.js';
import type {
  DomainIndicator,
  HashIndicator,
  HashKind,
  IndicatorContext,
  IpIndicator,
  IpPortIndicator,
  UrlIndicator,
} from '../../../src/indicators/model.js';
import { ListProvenance } from '../../../src/indicators/provenance.js';

const CONTEXT: IndicatorContext = {
  tags: [],
  references: [],
  reporters: [],
  provenance: new ListProvenance([], []),
};

function canonicalAddress(text: string): { address: string; addressFamily: 'ipv4' | 'ipv6' } {
  const parsed = ipaddr.parse(text);
  if (parsed.kind() === 'ipv4') return { address: parsed.toString(), addressFamily: 'ipv4' };
  return { address: (parsed as ipaddr.IPv6).toRFC5952String(), addressFamily: 'ipv6' };
}

export function ipIndicator(text: string): IpIndicator {
  const { address, addressFamily } = canonicalAddress(text);
  return { ...CONTEXT, kind: 'ip', value: address, address, addressFamily };
}

export function ipPortIndicator(text: string, port: number): IpPortIndicator {
  const { address, addressFamily } = canonicalAddress(text);
  const value = addressFamily === 'ipv6' ? `[${address}]:${port}` : `${address}:${port}`;
  return { ...CONTEXT, kind: 'ip-port', value, address, addressFamily, port };
}

export function domainIndicator(name: string): DomainIndicator {
  const domain = name.toLowerCase();
  return { ...CONTEXT, kind: 'domain', value: domain, domain };
}

export function urlIndicator(text: string): UrlIndicator {
  const parsed = new URL(text);
  const bracketed = parsed.hostname.startsWith('[');
  const host = bracketed ? parsed.hostname.slice(1, -1) : parsed.hostname;
  const hostKind = bracketed
    ? 'ipv6'
    : ipaddr.IPv4.isValidFourPartDecimal(host)
      ? 'ipv4'
      : 'domain';
  const scheme = parsed.protocol.slice(0, -1);
  const pathAndQuery = `${parsed.pathname}${parsed.search}`;
  const port = parsed.port === '' ? undefined : Number(parsed.port);
  const url = `${scheme}://${parsed.host}${pathAndQuery}`;
  return {
    ...CONTEXT,
    kind: 'url',
    value: url,
    url,
    scheme,
    host,
    hostKind,
    ...(port !== undefined && { port }),
    pathAndQuery,
  };
}

export function hashIndicator(kind: HashKind, hex: string): HashIndicator {
  const hash = hex.toLowerCase();
  return { ...CONTEXT, kind, value: hash, hash };
}
