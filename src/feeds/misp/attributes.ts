/**
 * MISP attribute types huntpack reads, and how their values split into indicator candidates.
 * Composite types (`domain|ip`, `filename|sha256`, `ip-dst|port`) split on the first `|`, as
 * MISP itself does, so a `|` later in the value stays in the second part.
 *
 * An address with a port gives an ip-port indicator. A host name with a port (`hostname|port`)
 * gives a domain indicator tagged `port:N`, as the free-text reader does for `host:port`,
 * because huntpack's domain hunts match names, not ports.
 */
import { quoteValue } from '../../errors.js';

/** One value an attribute yields, in huntpack's type names. */
export interface AttributeCandidate {
  type: 'ip' | 'ip-port' | 'domain' | 'url' | 'md5' | 'sha1' | 'sha256';
  value: string;
  port?: number;
  /** Set for `ip-src` types: the address is where traffic came from. */
  side?: 'source';
  /** Tags of the value itself, such as `port:8443` for the port of a host name. */
  tags?: string[];
}

export type AttributeMapping =
  | { kind: 'candidates'; candidates: AttributeCandidate[] }
  | { kind: 'unsupported' }
  | { kind: 'invalid'; message: string };

type Part = AttributeCandidate['type'] | 'port' | 'filename';

/** Parts of each supported type, in value order. */
const ATTRIBUTE_PARTS: Readonly<Record<string, readonly Part[]>> = {
  'ip-dst': ['ip'],
  'ip-src': ['ip'],
  'ip-dst|port': ['ip', 'port'],
  'ip-src|port': ['ip', 'port'],
  domain: ['domain'],
  hostname: ['domain'],
  'hostname|port': ['domain', 'port'],
  'domain|ip': ['domain', 'ip'],
  url: ['url'],
  md5: ['md5'],
  sha1: ['sha1'],
  sha256: ['sha256'],
  'filename|md5': ['filename', 'md5'],
  'filename|sha1': ['filename', 'sha1'],
  'filename|sha256': ['filename', 'sha256'],
};

/** True when huntpack reads indicators from attributes of this type. */
export function isSupportedType(type: string): boolean {
  return type in ATTRIBUTE_PARTS;
}

/** Splits one attribute value into candidates according to its type. */
export function mapAttribute(type: string, value: string): AttributeMapping {
  const parts = ATTRIBUTE_PARTS[type];
  if (!parts) return { kind: 'unsupported' };
  const values = parts.length === 1 ? [value] : splitFirstBar(value);
  if (values.length !== parts.length) {
    return {
      kind: 'invalid',
      message: `Attribute of type ${type} has value ${quoteValue(value)}, but two parts separated by "|" were expected.`,
    };
  }

  const side = type.startsWith('ip-src') ? 'source' : undefined;
  const candidates: AttributeCandidate[] = [];
  const portIndex = parts.indexOf('port');
  parts.forEach((part, position) => {
    const text = (values[position] ?? '').trim();
    if (part === 'port' || part === 'filename') return;
    const candidate: AttributeCandidate = { type: part, value: text };
    if (side && part === 'ip') candidate.side = side;
    candidates.push(candidate);
  });

  if (portIndex < 0) return { kind: 'candidates', candidates };
  const port = parsePort(values[portIndex] ?? '');
  if (port === undefined) {
    return {
      kind: 'invalid',
      message: `Attribute of type ${type} has port ${quoteValue(values[portIndex])}, but a port from 0 to 65535 was expected.`,
    };
  }
  return {
    kind: 'candidates',
    candidates: candidates.map((candidate) => withPort(candidate, port)),
  };
}

/** Returns an address candidate as an ip-port, and a host name with a `port:N` tag. */
export function withPort(candidate: AttributeCandidate, port: number): AttributeCandidate {
  if (candidate.type === 'domain') {
    return { ...candidate, tags: [...(candidate.tags ?? []), `port:${port}`] };
  }
  return { ...candidate, type: 'ip-port', port };
}

function splitFirstBar(value: string): string[] {
  const bar = value.indexOf('|');
  return bar < 0 ? [value] : [value.slice(0, bar), value.slice(bar + 1)];
}

/** Reads a decimal port from 0 to 65535, or returns undefined. */
export function parsePort(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d{1,5}$/.test(trimmed)) return undefined;
  const port = Number(trimmed);
  return port <= 65535 ? port : undefined;
}
