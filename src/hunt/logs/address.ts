/**
 * Reading of the address columns that hunts match by address. The local `ip` key matches only
 * strict dotted decimal IPv4 or IPv6 text without brackets, port or zone id. Logs
 * also write an address in brackets (`[2001:db8::1]`) or with its port (`1.2.3.4:8080`,
 * `[2001:db8::1]:443`), so the reader takes the address and port out of such values. Any other
 * value that is not an address is reported as INVALID_ADDRESS and left out of the event, because
 * it could never match an address indicator.
 */
import { quoteValue } from '../../errors.js';
import { parseIPv4Number, parseIPv6Number } from '../../pipeline/allowlist/ip-number.js';
import type { LogTable } from './event.js';

/**
 * Address columns of each table, with the port column that a port written after the address
 * goes to, or undefined for a column that has no port column.
 */
export const ADDRESS_COLUMNS: Readonly<Record<LogTable, ReadonlyMap<string, string | undefined>>> =
  {
    CommonSecurityLog: new Map([
      ['SourceIP', 'SourcePort'],
      ['DestinationIP', 'DestinationPort'],
    ]),
    DeviceNetworkEvents: new Map([
      ['LocalIP', 'LocalPort'],
      ['RemoteIP', 'RemotePort'],
    ]),
    // File and process rows name no connection; their hunts compare hashes.
    DeviceFileEvents: new Map(),
    DeviceProcessEvents: new Map(),
    DeviceImageLoadEvents: new Map(),
    DnsEvents: new Map([['ClientIP', undefined]]),
  };

/** An address value as read: the address text and the port written with it, if any. */
export type AddressReading =
  { ok: true; address: string; port?: string } | { ok: false; message: string };

/** True for strict dotted decimal IPv4 or IPv6 text, the forms that hunts match. */
export function isPlainAddress(text: string): boolean {
  return text.includes(':')
    ? parseIPv6Number(text) !== undefined
    : parseIPv4Number(text) !== undefined;
}

/** True for IPv6 text with a zone id whose address part is valid, such as `fe80::1%eth0`. */
function isZonedIPv6(text: string): boolean {
  const percent = text.indexOf('%');
  return percent > 0 && percent < text.length - 1 && isPlainAddress(text.slice(0, percent));
}

const DIGITS = /^[0-9]{1,5}$/;

/**
 * Reads trimmed, non-empty address text. A plain address, and IPv6 with a zone id (which no
 * indicator has), are returned as written. `[ipv6]`, `[ipv6]:port` and `ipv4:port` give the
 * address and port. Any other text gives a message for an INVALID_ADDRESS warning.
 */
export function readAddress(column: string, text: string): AddressReading {
  if (isPlainAddress(text) || isZonedIPv6(text)) return { ok: true, address: text };
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    const inner = close > 0 ? text.slice(1, close) : '';
    const rest = close > 0 ? text.slice(close + 1) : '';
    if (inner.includes(':') && isPlainAddress(inner)) {
      if (rest === '') return { ok: true, address: inner };
      if (rest.startsWith(':') && DIGITS.test(rest.slice(1))) {
        return { ok: true, address: inner, port: rest.slice(1) };
      }
    }
  } else {
    const colon = text.indexOf(':');
    if (colon > 0 && colon === text.lastIndexOf(':')) {
      const address = text.slice(0, colon);
      const port = text.slice(colon + 1);
      if (parseIPv4Number(address) !== undefined && DIGITS.test(port)) {
        return { ok: true, address, port };
      }
    }
  }
  return {
    ok: false,
    message:
      `Invalid ${column} ${quoteValue(text)}: expected a dotted decimal IPv4 or an IPv6 address, ` +
      'optionally in brackets or with a port.',
  };
}
