/**
 * The `ip` key as DuckDB stores it. DuckDB's `inet` extension cannot be loaded offline, so the
 * loader turns address text into a UHUGEINT (unsigned 128-bit integer) in JavaScript: IPv6 as its
 * 128-bit value and IPv4 as its IPv4-mapped form `::ffff:a.b.c.d`. Equal numbers mean the same
 * address, whatever the spelling (`ff02:0000::00fb` and `ff02::fb`, `::ffff:1.2.3.4` and
 * `1.2.3.4`), and a CIDR block becomes a BETWEEN range.
 */
import { parseIpNumber, type IpRange } from '../../pipeline/allowlist/ip-number.js';

const MAPPED_PREFIX = 0xffffn << 32n;

/**
 * Returns the address key of a value, or undefined when it is not strict dotted decimal IPv4 or
 * IPv6 without a zone id.
 */
export function addressKey(value: unknown): bigint | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = parseIpNumber(value);
  if (!parsed) return undefined;
  return parsed.family === 'ipv4' ? MAPPED_PREFIX | BigInt(parsed.value) : parsed.value;
}

/** Returns a range in address-key numbers: an IPv4 range moves into `::ffff:0:0/96`. */
export function mappedRange(range: IpRange): { first: bigint; last: bigint } {
  if (range.family === 'ipv6') return { first: range.first, last: range.last };
  return { first: MAPPED_PREFIX | BigInt(range.first), last: MAPPED_PREFIX | BigInt(range.last) };
}
